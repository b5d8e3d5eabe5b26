import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Machine-wide and own-process CPU time, from `/proc/stat` and `getrusage` (Linux; `nil` elsewhere).
public struct CPUSample: Sendable {
    /// Seconds summed over all cores: total elapsed and idle (`/proc/stat` line 1).
    var total: Double
    var idle: Double
    /// This process's user + system seconds.
    var own: Double

    public static func now() -> CPUSample? {
        #if canImport(Glibc)
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 5 else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return CPUSample(
            total: fields.reduce(0, +) / ticks, idle: (fields[3] + fields[4]) / ticks,
            own: seconds(usage.ru_utime) + seconds(usage.ru_stime))
        #else
        return nil
        #endif
    }

    /// Share of all CPU time between two samples used by processes other than this one.
    public static func otherProcessShare(from a: CPUSample?, to b: CPUSample?) -> Double? {
        guard let a, let b, b.total > a.total else { return nil }
        let busy = (b.total - a.total) - (b.idle - a.idle)
        return max(0, (busy - (b.own - a.own)) / (b.total - a.total))
    }

    /// Share of all CPU time that was busy (any process) over `seconds`.
    public static func busyFraction(over seconds: Double) -> Double? {
        guard let a = now() else { return nil }
        Thread.sleep(forTimeInterval: seconds)
        guard let b = now(), b.total > a.total else { return nil }
        return 1 - (b.idle - a.idle) / (b.total - a.total)
    }

    /// CPU busy share over one second and the load average, like the reference scripts' `machine_note`.
    public static func machineNote() -> String {
        let busy = busyFraction(over: 1)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
        var note = "CPU busy \(BenchFormat.percent(busy)) (all cores), loadavg \(load)"
        if let busy, busy > 0.10 { note += "  WARNING: machine not idle, timings will be pessimistic" }
        return note
    }
}
