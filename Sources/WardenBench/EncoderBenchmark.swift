import Foundation
import WardenModel

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
    ///
    /// - Parameter gap: an untimed pause before each timed run. Back to back (no gap) the helper threads never sleep;
    ///   a gap times a pass as a lightly loaded server runs it, after the threads (and cores) went idle.
    public static func measure(
        _ encoder: Encoder, batch: PackedBatch, options: EncoderOptions, warmup: Int = 3, minimumRuns: Int = 7,
        minimumSeconds: Double = 2, maximumRuns: Int = 200, gap: Duration = .zero, workspace: EncoderWorkspace = EncoderWorkspace()
    ) throws -> Measurement {
        for _ in 0..<warmup { _ = try encoder.encode(batch, options: options, workspace: workspace) }
        var times: [Double] = []
        let clock = ContinuousClock()
        let before = CPUSample.now()
        let deadline = clock.now + .milliseconds(Int(minimumSeconds * 1000))
        while (times.count < minimumRuns || clock.now < deadline) && times.count < maximumRuns {
            if gap > .zero { Thread.sleep(forTimeInterval: gap.seconds) }
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

extension EncoderBenchmark.Measurement {
    /// One progress line, printed as each configuration finishes.
    public var line: String {
        typealias F = BenchFormat
        return "B=\(F.pad(batch, 2)) S=\(F.pad(sequenceLength, 3))  \(F.fixed(medianSeconds * 1e3, 2, width: 9)) ms/batch (min \(F.fixed(minimumSeconds * 1e3, 2))) "
            + "\(F.fixed(sequencesPerSecond, 1, width: 8)) seq/s  \(F.fixed(gigaflopsPerSecond, 1, width: 6)) GFLOP/s  "
            + "(\(runs) runs, \(cpuSecondsPerBatch.map { F.fixed($0 * 1e3, 2) } ?? "n/a") CPU ms/batch, other procs \(F.percent(otherProcessCPU)) CPU)"
    }
}

extension EncoderBenchmark {
    /// The results in the layout of the reference PERF.md tables; `eff.` is relative to `ceiling` GFLOP/s.
    public static func markdownTable(title: String, rows: [Measurement], ceiling: Double) -> String {
        typealias F = BenchFormat
        var lines = ["### \(title)", "", "| batch | seq | ms/batch | seq/s | tokens/s | GFLOP/s | eff. | other CPU |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for m in rows {
            lines.append(
                "| \(m.batch) | \(m.sequenceLength) | \(F.fixed(m.medianSeconds * 1e3, 1)) | \(F.fixed(m.sequencesPerSecond, 1)) | "
                    + "\(F.grouped(m.tokensPerSecond)) | \(F.fixed(m.gigaflopsPerSecond, 0)) | \(F.fixed(m.gigaflopsPerSecond / ceiling * 100, 0))% | "
                    + "\(F.percent(m.otherProcessCPU)) |")
        }
        return lines.joined(separator: "\n")
    }
}
