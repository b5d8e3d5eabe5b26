import Foundation
import WardenBackends

/// A load generator for a running `warden serve`.
///
/// Closed loop (`.clients(N)`): N clients each send their next request when the last one answered; measures the
/// maximum throughput. Open loop (`.rate(R)`): requests start at a fixed rate whatever the answers, so queueing shows
/// up in the latency (the p99 target) and a rate above capacity is an overload test.
public struct ServiceLoadTest: Sendable {
    public enum Load: Sendable, Equatable {
        case clients(Int)
        case rate(Double)
    }

    public enum Endpoint: String, Sendable, CaseIterable {
        case moderations
        case guardCheck = "guard"

        var path: String { self == .moderations ? "/v1/moderations" : "/v1/guard/check" }
    }

    public var baseURL: String
    public var endpoint: Endpoint
    public var load: Load
    public var seconds: Double
    /// Words per input text (synthetic and benign, so the guard's cost is the model's, not the policy's lists).
    public var words: Int
    /// Inputs per moderation request.
    public var items: Int
    public var bearerToken: String?
    /// The server's process id, to sample its resident memory once a second.
    public var serverPID: Int32?

    public init(
        baseURL: String, endpoint: Endpoint, load: Load, seconds: Double, words: Int, items: Int, bearerToken: String?,
        serverPID: Int32?
    ) {
        self.baseURL = baseURL
        self.endpoint = endpoint
        self.load = load
        self.seconds = seconds
        self.words = words
        self.items = items
        self.bearerToken = bearerToken
        self.serverPID = serverPID
    }

    /// Whether `host` is this machine: the load test refuses to load anything else.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    public var mode: String {
        switch load {
        case .clients(let count): "closed loop, \(count) clients"
        case .rate(let rate): "open loop, \(rate) requests/s"
        }
    }

    public func run() async throws -> LoadSummary {
        let connections = if case .clients(let count) = load { count } else { 2_048 }
        let poster = JSONPoster(connections: connections)
        let body = requestBody()
        let target = (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + endpoint.path
        let recorder = LoadRecorder()
        let memory = MemorySampler(pid: serverPID)
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int(seconds * 1_000))
        let send: @Sendable () async -> Void = { [bearerToken] in
            let sent = ContinuousClock.now
            let status = (try? await poster.post(target, body: body, bearerToken: bearerToken)).map { "\($0.status)" } ?? "error"
            recorder.record(status: status, latency: ContinuousClock.now - sent)
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await memory.run(until: deadline) }
            switch load {
            case .clients(let count):
                for _ in 0..<count { group.addTask { while ContinuousClock.now < deadline { await send() } } }
            case .rate(let rate):
                let interval = Duration.nanoseconds(Int64(1e9 / rate))
                var next = started
                while next < deadline {
                    try? await Task.sleep(until: next)
                    group.addTask { await send() }
                    next += interval
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        try await poster.shutdown()
        return recorder.summary(elapsed: elapsed, memory: memory.samples, mode: mode)
    }

    func requestBody() -> String {
        let vocabulary = ["the", "garden", "needs", "water", "before", "summer", "and", "we", "plan", "a", "picnic", "near", "river"]
        let text = "\"" + (0..<words).map { vocabulary[$0 % vocabulary.count] }.joined(separator: " ") + "\""
        switch endpoint {
        case .moderations:
            return items == 1 ? "{\"input\": \(text)}" : "{\"input\": [\(Array(repeating: text, count: items).joined(separator: ","))]}"
        case .guardCheck:
            return "{\"messages\": [{\"role\": \"user\", \"content\": \(text)}]}"
        }
    }
}
