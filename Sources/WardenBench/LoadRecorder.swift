import Foundation
import Synchronization

/// What a load test saw: answered requests, latency percentiles of the 200s, status counts and the server's RSS.
public struct LoadSummary: Sendable {
    public var mode: String
    public var seconds: Double
    public var requests: Int
    public var ok: Int
    public var latencyMilliseconds: (p50: Double, p95: Double, p99: Double, max: Double)
    public var statuses: [String: Int]
    /// Resident set samples of the server, KiB, once a second.
    public var rssKiB: [Int]

    public var okPerSecond: Double { Double(ok) / seconds }

    public var json: String {
        let object: [String: Any] = [
            "mode": mode, "seconds": seconds, "requests": requests, "ok": ok, "throughput_ok_per_second": okPerSecond,
            "latency_ms": ["p50": latencyMilliseconds.p50, "p95": latencyMilliseconds.p95, "p99": latencyMilliseconds.p99, "max": latencyMilliseconds.max],
            "statuses": statuses,
            "rss_kib": rssKiB.isEmpty ? [:] : ["first": rssKiB.first!, "last": rssKiB.last!, "max": rssKiB.max()!],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public var text: String {
        var lines = [
            "mode: \(mode), \(String(format: "%.1f", seconds)) s, \(requests) requests",
            String(format: "throughput: %.1f ok/s", okPerSecond),
            String(format: "latency ms (200 only): p50 %.1f  p95 %.1f  p99 %.1f  max %.1f", latencyMilliseconds.p50,
                   latencyMilliseconds.p95, latencyMilliseconds.p99, latencyMilliseconds.max),
            "statuses: " + statuses.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        ]
        if let first = rssKiB.first, let last = rssKiB.last, let peak = rssKiB.max() {
            lines.append("server RSS MiB: first \(first / 1024)  last \(last / 1024)  max \(peak / 1024) (\(rssKiB.count) samples)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Latencies and status counts of a run, recorded from many tasks.
final class LoadRecorder: Sendable {
    private let state = Mutex<(latencies: [Double], statuses: [String: Int])>(([], [:]))

    func record(status: String, latency: Duration) {
        state.withLock { state in
            state.statuses[status, default: 0] += 1
            if status == "200" { state.latencies.append(latency.seconds * 1_000) }
        }
    }

    func summary(elapsed: Duration, memory: [Int], mode: String) -> LoadSummary {
        let (latencies, statuses) = state.withLock { ($0.latencies.sorted(), $0.statuses) }
        func percentile(_ p: Double) -> Double { BenchFormat.percentile(latencies, p) }
        return LoadSummary(
            mode: mode, seconds: elapsed.seconds, requests: statuses.values.reduce(0, +), ok: latencies.count,
            latencyMilliseconds: (percentile(0.5), percentile(0.95), percentile(0.99), latencies.last ?? 0),
            statuses: statuses, rssKiB: memory)
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
