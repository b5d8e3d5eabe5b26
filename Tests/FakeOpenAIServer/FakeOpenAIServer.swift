import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A fake OpenAI chat completions server on 127.0.0.1 (a free port), for tests.
///
/// The first path component picks the behaviour, so a backend configured with base URL
/// `server.baseURL(.slow)` posts to `/slow/v1/chat/completions`. Every scenario answers with the
/// server's script (chunks joined for a non-streamed answer, one `data:` event per chunk when the
/// request says `"stream": true`). The server counts requests and, for each stream, how many
/// chunks it wrote before the stream ended and whether the client went away first.
public final class FakeOpenAIServer: Sendable {
    public enum Scenario: String, Sendable, CaseIterable {
        /// Answers the script.
        case normal
        /// Waits ``FakeOpenAIServer/slowDelay`` before answering the script.
        case slow
        /// HTTP 500 with an OpenAI error body.
        case failing
        /// HTTP 200 with a body cut off in the middle of the JSON.
        case malformedJSON = "malformed-json"
        /// HTTP 200 with well-formed JSON whose `content` is a number.
        case wrongType = "wrong-type"
        /// A stream whose second event is not JSON.
        case malformedSSE = "malformed-sse"
        /// A stream that closes after two chunks, without a finish reason or `[DONE]`.
        case truncatedSSE = "truncated-sse"
    }

    /// One streamed answer as the server saw it.
    public struct StreamRecord: Sendable, Hashable {
        public var scenario: String
        public var chunksWritten: Int
        /// `true` when the stream could not be written to the end: the client closed or cancelled.
        public var endedByClient: Bool
    }

    public struct Stats: Sendable, Hashable {
        /// Requests per scenario.
        public var requests: [String: Int] = [:]
        public var streams: [StreamRecord] = []
        /// The last request's JSON body and Authorization header.
        public var lastBody: String = ""
        public var lastAuthorization: String?

        public var totalRequests: Int { requests.values.reduce(0, +) }
    }

    public let script: [String]
    public let chunkDelay: Duration
    public let slowDelay: Duration
    public let port: Int
    private let stats = Mutex(Stats())
    private let runner = Mutex<Task<Void, any Error>?>(nil)

    private init(script: [String], chunkDelay: Duration, slowDelay: Duration, port: Int) {
        self.script = script
        self.chunkDelay = chunkDelay
        self.slowDelay = slowDelay
        self.port = port
    }

    /// Starts a server and returns once it listens.
    public static func start(
        script: [String] = ["Hello", ", ", "world", "."], chunkDelay: Duration = .zero, slowDelay: Duration = .milliseconds(300)
    ) async throws -> FakeOpenAIServer {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-openai")
        logger.logLevel = .critical  // client disconnects are the point of some tests, not news
        let behaviour = Behaviour(script: script, chunkDelay: chunkDelay, slowDelay: slowDelay)
        let app = Application(
            router: behaviour.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-openai"),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger
        )
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw FakeServerError.didNotStart
        }
        let server = FakeOpenAIServer(script: script, chunkDelay: chunkDelay, slowDelay: slowDelay, port: port)
        behaviour.attach(server)
        server.runner.withLock { $0 = task }
        return server
    }

    public func baseURL(_ scenario: Scenario = .normal) -> String { "http://127.0.0.1:\(port)/\(scenario.rawValue)" }

    public var snapshot: Stats { stats.withLock { $0 } }

    /// Waits until `count` streams have ended on the server side (the stream loop noticed the end).
    public func waitForStreams(_ count: Int, timeout: Duration = .seconds(10)) async -> [StreamRecord] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let streams = snapshot.streams
            if streams.count >= count { return streams }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return snapshot.streams
    }

    public func stop() async {
        let task = runner.withLock { $0 }
        task?.cancel()
        _ = await task?.result
    }

    func recordRequest(_ scenario: String, body: String, authorization: String?) {
        stats.withLock {
            $0.requests[scenario, default: 0] += 1
            $0.lastBody = body
            $0.lastAuthorization = authorization
        }
    }

    func recordStream(_ record: StreamRecord) {
        stats.withLock { $0.streams.append(record) }
    }
}

public enum FakeServerError: Error { case didNotStart }
