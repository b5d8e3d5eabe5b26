import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Timing of encoder forward passes, measured the way the reference scripts (`bench/common.py`) do:
/// warm-up calls, then repeats until both a minimum count and a minimum time are reached, reporting the median.
/// It also records how much CPU *other* processes used meanwhile, because this 2-vCPU machine is shared and a
/// busy neighbour can distort a run by an order of magnitude.
public enum EncoderBenchmark {
    public struct Measurement: Sendable {
        public var batch: Int
        public var sequenceLength: Int
        public var medianSeconds: Double
        public var minimumSeconds: Double
        public var runs: Int
        /// Share of the machine's total CPU time used by other processes during the timed loop (0…1), if known.
        public var otherProcessCPU: Double?
        /// This process's CPU seconds (all threads) per batch, averaged over the timed runs, if known.
        /// Less sensitive to a busy machine than wall time (a descheduled thread does not count).
        public var cpuSecondsPerBatch: Double?
        public var flopsPerBatch: Double

        public var sequencesPerSecond: Double { Double(batch) / medianSeconds }
        public var tokensPerSecond: Double { Double(batch * sequenceLength) / medianSeconds }
        public var gigaflopsPerSecond: Double { flopsPerBatch / medianSeconds / 1e9 }
    }

    /// A batch like the reference benchmark's: random in-vocabulary ids in 1000..<29000, `[CLS]` (101) first and
    /// `[SEP]` (102) last, every sequence exactly `length` tokens, no padding.
    public static func randomBatch(batch: Int, length: Int, seed: UInt64 = 0) -> PackedBatch {
        var state = seed &+ UInt64(batch * 1000 + length)
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % 28000) + 1000
        }
        let sequences = (0..<batch).map { _ in
            (0..<length).map { position in position == 0 ? 101 : position == length - 1 ? 102 : next() }
        }
        return PackedBatch(sequences: sequences)
    }

    /// Times `encoder.encode(batch)` plus pooling (included in `encode`).
    public static func measure(
        _ encoder: Encoder, batch: PackedBatch, options: EncoderOptions, warmup: Int = 3, minimumRuns: Int = 7,
        minimumSeconds: Double = 2, maximumRuns: Int = 200
    ) throws -> Measurement {
        let workspace = EncoderWorkspace()
        for _ in 0..<warmup { _ = try encoder.encode(batch, options: options, workspace: workspace) }
        var times: [Double] = []
        let clock = ContinuousClock()
        let before = CPUSample.now()
        let deadline = clock.now + .milliseconds(Int(minimumSeconds * 1000))
        while (times.count < minimumRuns || clock.now < deadline) && times.count < maximumRuns {
            let start = clock.now
            _ = try encoder.encode(batch, options: options, workspace: workspace)
            let elapsed = clock.now - start
            times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        let after = CPUSample.now()
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        let lengths = (0..<batch.count).map { batch.range(ofSequence: $0).count }
        return Measurement(
            batch: batch.count, sequenceLength: lengths.max() ?? 0, medianSeconds: median, minimumSeconds: times[0],
            runs: times.count, otherProcessCPU: CPUSample.otherProcessShare(from: before, to: after),
            cpuSecondsPerBatch: before.flatMap { b in after.map { ($0.own - b.own) / Double(times.count) } },
            flopsPerBatch: lengths.reduce(0) { $0 + encoder.matmulFLOPs(sequenceLength: $1) })
    }

    /// Waits until the machine is idle (busy below `threshold` over one second) or `maximumSeconds` pass,
    /// like the reference's `wait_for_idle`. Returns the seconds waited.
    @discardableResult
    public static func waitForIdle(maximumSeconds: Double, threshold: Double = 0.10) -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < maximumSeconds {
            if let busy = CPUSample.busyFraction(over: 1), busy < threshold { break }
        }
        return Date().timeIntervalSince(start)
    }
}

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
}
