import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// `warden bench serve`: a load generator for a running `warden serve`, on this machine only.
///
/// Closed loop (`--concurrency N`): N clients each send their next request when the last one
/// answered; measures the maximum throughput. Open loop (`--rate R`): requests start at a fixed
/// rate whatever the answers, so queueing shows up in the latency (the p99 target) and a rate
/// above capacity is an overload test.
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test a running warden serve on 127.0.0.1: throughput, latency percentiles, status counts, RSS.",
        discussion: """
        warden bench serve --concurrency 16 --duration 20                  # closed loop: maximum throughput
        warden bench serve --rate 40 --duration 30                         # open loop at 40 requests/s
        warden bench serve --rate 200 --duration 20 --server-pid $(pgrep -f 'warden serve')   # overload, RSS
        """
    )

    enum Endpoint: String, ExpressibleByArgument, CaseIterable { case moderations, guardCheck = "guard" }

    @Option(help: "Server address; only loopback addresses are accepted.") var url = "http://127.0.0.1:8080"
    @Option(help: "Route to load.") var endpoint: Endpoint = .moderations
    @Option(help: "Closed loop: clients sending back to back.") var concurrency: Int?
    @Option(help: "Open loop: requests started per second.") var rate: Double?
    @Option(help: "Seconds to run (at most 3600).") var duration: Double = 10
    @Option(help: "Words per input text (the text is synthetic and benign).") var words = 24
    @Option(help: "Inputs per moderation request.") var items = 1
    @Option(help: "Bearer token to send.") var token: String?
    @Option(help: "Process id of the server, to sample its resident memory every second.") var serverPid: Int32?
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (concurrency == nil) != (rate == nil) else { throw ValidationError("Give exactly one of --concurrency N or --rate R.") }
        guard duration > 0, duration <= 3_600 else { throw ValidationError("--duration must be in (0, 3600] seconds.") }
        if let concurrency, !(1...4_096).contains(concurrency) { throw ValidationError("--concurrency must be in 1...4096.") }
        if let rate, !(rate > 0 && rate <= 100_000) { throw ValidationError("--rate must be in (0, 100000].") }
        guard let host = URL(string: url)?.host, Self.isLoopback(host) else {
            throw ValidationError("--url must point at this machine (127.0.0.0/8, localhost or [::1]); got \(url)")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        // Open loop must not queue in the client: allow a connection per outstanding request.
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency ?? 2_048)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        let body = requestBody()
        let path = endpoint == .moderations ? "/v1/moderations" : "/v1/guard/check"
        let target = url.hasSuffix("/") ? String(url.dropLast()) + path : url + path
        let recorder = LoadRecorder()
        let memory = MemorySampler(pid: serverPid)
        let deadline = ContinuousClock.now + .milliseconds(Int(duration * 1_000))
        let started = ContinuousClock.now
        let send: @Sendable () async -> Void = { [token] in
            await Self.send(client: client, url: target, body: body, token: token, recorder: recorder)
        }

        await withTaskGroup(of: Void.self) { group in
            group.addTask { await memory.run(until: deadline) }
            if let concurrency {
                for _ in 0..<concurrency {
                    group.addTask { while ContinuousClock.now < deadline { await send() } }
                }
            } else if let rate {
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
        try await client.shutdown()
        print(recorder.summary(elapsed: elapsed, memory: memory.samples, mode: mode, json: json))
    }

    private var mode: String {
        if let concurrency { return "closed loop, \(concurrency) clients" }
        return "open loop, \(rate ?? 0) requests/s"
    }

    /// A benign text of `words` words, so the guard's cost is the model's, not the policy's lists.
    private func requestBody() -> String {
        let vocabulary = ["the", "garden", "needs", "water", "before", "summer", "and", "we", "plan", "a", "picnic", "near", "river"]
        let text = (0..<words).map { vocabulary[$0 % vocabulary.count] }.joined(separator: " ")
        let escaped = "\"\(text)\""
        switch endpoint {
        case .moderations:
            return items == 1 ? "{\"input\": \(escaped)}" : "{\"input\": [\(Array(repeating: escaped, count: items).joined(separator: ","))]}"
        case .guardCheck:
            return "{\"messages\": [{\"role\": \"user\", \"content\": \(escaped)}]}"
        }
    }

    private static func send(client: HTTPClient, url: String, body: String, token: String?, recorder: LoadRecorder) async {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: body))
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 22)
            recorder.record(status: "\(response.status.code)", latency: ContinuousClock.now - started)
        } catch {
            recorder.record(status: "error", latency: ContinuousClock.now - started)
        }
    }
}

/// Latencies and status counts of a run.
final class LoadRecorder: Sendable {
    private let state = Mutex<(latencies: [Double], statuses: [String: Int])>(([], [:]))

    func record(status: String, latency: Duration) {
        let milliseconds = Double(latency.components.seconds) * 1_000 + Double(latency.components.attoseconds) / 1e15
        state.withLock { state in
            state.statuses[status, default: 0] += 1
            if status == "200" { state.latencies.append(milliseconds) }
        }
    }

    func summary(elapsed: Duration, memory: [Int], mode: String, json: Bool) -> String {
        let (latencies, statuses) = state.withLock { ($0.latencies.sorted(), $0.statuses) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = statuses.values.reduce(0, +)
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((p * Double(latencies.count)).rounded(.up)) - 1)]
        }
        let summary: [String: Any] = [
            "mode": mode, "seconds": seconds, "requests": total, "ok": latencies.count,
            "throughput_ok_per_second": Double(latencies.count) / seconds,
            "latency_ms": ["p50": percentile(0.5), "p95": percentile(0.95), "p99": percentile(0.99), "max": latencies.last ?? 0],
            "statuses": statuses, "rss_kib": memory.isEmpty ? [:] : ["first": memory.first!, "last": memory.last!, "max": memory.max()!],
        ]
        if json {
            let data = (try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
        var lines = [
            "mode: \(mode), \(String(format: "%.1f", seconds)) s, \(total) requests",
            String(format: "throughput: %.1f ok/s", Double(latencies.count) / seconds),
            String(format: "latency ms (200 only): p50 %.1f  p95 %.1f  p99 %.1f  max %.1f", percentile(0.5), percentile(0.95), percentile(0.99), latencies.last ?? 0),
            "statuses: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        ]
        if let first = memory.first, let last = memory.last, let peak = memory.max() {
            lines.append("server RSS MiB: first \(first / 1024)  last \(last / 1024)  max \(peak / 1024) (\(memory.count) samples)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Samples a process's resident set size (VmRSS, KiB) from /proc once a second.
final class MemorySampler: Sendable {
    let pid: Int32?
    private let state = Mutex<[Int]>([])

    init(pid: Int32?) { self.pid = pid }

    var samples: [Int] { state.withLock { $0 } }

    func run(until deadline: ContinuousClock.Instant) async {
        guard let pid else { return }
        while ContinuousClock.now < deadline {
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
            {
                state.withLock { $0.append(kib) }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
