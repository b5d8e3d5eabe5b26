import AsyncHTTPClient
import Foundation
import NIOCore

/// A pooled HTTP/1 client that posts JSON bodies and reads whole answers: what a load generator needs, through
/// the same door to AsyncHTTPClient as the generation backends (so the package has one).
public final class JSONPoster: Sendable {
    /// Status code and body size of one answer.
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var bytes: Int
    }

    private let client: HTTPClient

    /// - Parameter connections: connections kept per host; an open-loop load test needs one per outstanding request,
    ///   or its requests queue in the client instead of the server.
    public init(connections: Int, connectTimeout: Duration = .seconds(5), readTimeout: Duration = .seconds(30)) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
        configuration.timeout = .init(connect: TimeAmount(connectTimeout), read: TimeAmount(readTimeout))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Posts `body` as `application/json` and reads the answer (at most 4 MiB).
    public func post(_ url: String, body: String, bearerToken: String? = nil, timeout: Duration = .seconds(30)) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: TimeAmount(timeout))
        let answer = try await response.body.collect(upTo: 1 << 22)
        return Answer(status: Int(response.status.code), bytes: answer.readableBytes)
    }

    /// Closes the pool; call once, after the last request.
    public func shutdown() async throws { try await client.shutdown() }
}
