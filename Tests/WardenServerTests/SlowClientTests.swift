import Foundation
import HummingbirdTesting
import Testing
import WardenBackends
#if canImport(Glibc)
import Glibc
#endif
@testable import WardenServer

/// Slow and silent clients on a real socket: they must not hold a connection (and a descriptor) forever.
@Suite("Slow clients")
struct SlowClientTests {
    /// A blocking loopback TCP socket with a receive timeout, or nil when the system refuses one.
    static func connect(port: Int, receiveTimeout seconds: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); return nil }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// What one `recv` returns (empty when the server closed the connection or nothing came before the socket's
    /// receive timeout), read on a dispatch thread: a blocking call on the cooperative pool would starve the
    /// in-process server of the threads it needs to answer.
    static func receive(_ fd: Int32) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self))
            }
        }
    }

    @Test("a request head that never completes is closed after the idle timeout, and others are still served")
    func unfinishedHead() async throws {
        try await TestServer.run(.live, configure: { configuration, _ in
            configuration.idleTimeout = .milliseconds(300)
            TestServer.withKeysIfNone(&configuration)
        }) { client in
            let port = try #require(client.port)
            let fd = try #require(Self.connect(port: port, receiveTimeout: 10))
            defer { close(fd) }
            let partial = Array("GET /healthz HTTP/1.1\r\nHost: warden\r\n".utf8)  // no blank line: the head never ends
            #expect(send(fd, partial, partial.count, 0) == partial.count)
            let started = Date()
            // Nothing, and well before our 10 s receive timeout: the server closed the connection.
            #expect(await Self.receive(fd).isEmpty)
            #expect(Date().timeIntervalSince(started) < 5, "the server kept an unfinished request open")
            // A complete request on a new connection is still answered. (The test client's own pooled connection
            // was idle too, and the server rightly closed it, so a fresh socket asks.)
            let second = try #require(Self.connect(port: port, receiveTimeout: 10))
            defer { close(second) }
            let request = Array("GET /healthz HTTP/1.1\r\nHost: warden\r\nConnection: close\r\n\r\n".utf8)
            #expect(send(second, request, request.count, 0) == request.count)
            #expect(await Self.receive(second).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("bytes that are not HTTP/1.1 get the JSON error shape naming the parser's complaint, then the connection closes")
    func malformedRequestLine() async throws {
        try await TestServer.run(.live, configure: { configuration, _ in TestServer.withKeysIfNone(&configuration) }) { client in
            let port = try #require(client.port)
            for garbage in ["GET /healthz HTTP/1.1\r\nHost warden-without-colon\r\n\r\n", "\u{1}\u{2} nonsense\r\n\r\n"] {
                let fd = try #require(Self.connect(port: port, receiveTimeout: 10))
                defer { close(fd) }
                let bytes = Array(garbage.utf8)
                #expect(send(fd, bytes, bytes.count, 0) == bytes.count)
                let answer = await Self.receive(fd)
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
                #expect(answer.lowercased().contains("content-type: application/json"))
                let body = try #require(answer.components(separatedBy: "\r\n\r\n").last)
                let error = try #require(
                    (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"] as? [String: Any])
                #expect(error["code"] as? String == "malformed_http")
                #expect((error["message"] as? String)?.contains("not valid HTTP/1.1 (") == true)
                #expect(await Self.receive(fd).isEmpty, "the connection stays open after a parser error")
            }
        }
    }

    @Test("connections beyond server.max_connections get 503 too_many_connections at once, and a freed slot serves again")
    func connectionCap() async throws {
        try await TestServer.run(.live, configure: { configuration, _ in
            configuration.maxConnections = 2
            TestServer.withKeysIfNone(&configuration)
        }) { client in
            let port = try #require(client.port)
            let silent = try (0..<2).map { _ in try #require(Self.connect(port: port, receiveTimeout: 10)) }
            try await Task.sleep(for: .milliseconds(200))  // both are accepted and counted before the third arrives
            let third = try #require(Self.connect(port: port, receiveTimeout: 10))
            defer { close(third) }
            let refusal = await Self.receive(third)
            #expect(refusal.hasPrefix("HTTP/1.1 503"), "\(refusal)")
            #expect(refusal.contains("too_many_connections"))
            #expect(refusal.lowercased().contains("retry-after:"))
            for fd in silent { close(fd) }
            try await Task.sleep(for: .milliseconds(300))
            let next = try #require(Self.connect(port: port, receiveTimeout: 10))
            defer { close(next) }
            let request = Array("GET /healthz HTTP/1.1\r\nHost: warden\r\nConnection: close\r\n\r\n".utf8)
            #expect(send(next, request, request.count, 0) == request.count)
            #expect(await Self.receive(next).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("the connection cap is a setting with its variable, and defaults to what the descriptor limit allows")
    func connectionCapSetting() throws {
        let configuration = try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_MAX_CONNECTIONS": "50"])])
        #expect(configuration.maxConnections == 50)
        #expect(DescriptorLimit.connectionBudget(softLimit: 1024) == 384)
        #expect(DescriptorLimit.connectionBudget(softLimit: 100) == 16)
    }

    @Test("a client that leaves a hold-back stream while text is withheld cancels the backend's generation")
    func leavingCancelsGeneration() async throws {
        // 40 chunks 300 ms apart: hold-back releases nothing before the first check after 16 chunks (4.8 s).
        let backend = ScriptedBackend(chunks: Array(repeating: "calm ", count: 40), delay: .milliseconds(300))
        try await TestServer.run(.live, backend: backend, configure: { configuration, _ in
            configuration.streamKeepAlive = .milliseconds(100)
            TestServer.withKeysIfNone(&configuration)
        }) { client in
            let port = try #require(client.port)
            let fd = try #require(Self.connect(port: port, receiveTimeout: 10))
            let body = #"{"messages": [{"role": "user", "content": "tell me about gardens"}], "stream": true}"#
            let request = Array(("POST /v1/chat/completions HTTP/1.1\r\nHost: warden\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n" + body).utf8)
            #expect(send(fd, request, request.count, 0) == request.count)
            let head = await Self.receive(fd)
            #expect(head.hasPrefix("HTTP/1.1 200"))
            close(fd)
            let left = Date()
            #expect(try await eventually { backend.record.cancellations == 1 }, "the backend kept generating for a client that left")
            #expect(Date().timeIntervalSince(left) < 2.5)
            #expect(backend.record.chunksSent < 16)
        }
    }

    @Test("the idle timeout is a setting with its variable")
    func setting() throws {
        let configuration = try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_IDLE_TIMEOUT_MS": "1500"])])
        #expect(configuration.idleTimeout == .milliseconds(1500))
        let backend = try ServerConfiguration.resolve(file: nil, layers: [.environment([
            "WARDEN_BACKEND_TIMEOUT_MS": "2500", "WARDEN_BACKEND_STREAM_TIMEOUT_MS": "30000", "WARDEN_BACKEND_MAX_ANSWER_BYTES": "65536",
        ])])
        #expect(backend.backendTimeout == .milliseconds(2500) && backend.backendStreamTimeout == .seconds(30))
        #expect(backend.backendMaxAnswerBytes == 65_536)
        #expect(ServerConfiguration().idleTimeout == .seconds(30))
        #expect(throws: ServerConfigurationError.self) {
            try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_IDLE_TIMEOUT_MS": "0"])])
        }
    }
}
