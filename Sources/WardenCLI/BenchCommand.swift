import ArgumentParser
import Foundation
import WardenModel
import WardenTensor

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Warden's components on this machine.",
        subcommands: [BenchEncoder.self, BenchTokenizer.self, BenchAudit.self, BenchServe.self]
    )
}

/// `warden bench encoder`: encoder throughput on the real weights, in the layout of the reference PERF.md tables
/// so the numbers can be put side by side with `bench/bench_torch.py`.
struct BenchEncoder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder",
        abstract: "Time the encoder forward pass (plus mean pooling and normalisation) over batch sizes and lengths.",
        discussion: """
            Sequences are random in-vocabulary ids with [CLS]/[SEP], all exactly --lengths long, as in the reference \
            scripts. Each configuration gets --warmup calls, then repeats until --repeats runs and --min-time seconds \
            have passed; the table reports the median. 'other CPU' is the share of the machine other processes used \
            during the timed loop: rows where it is above a few percent were measured on a busy machine.
            """
    )

    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        /// One Warden worker, OpenBLAS with --threads threads.
        case blas
        /// --threads Warden workers splitting each GEMM by columns, single-threaded OpenBLAS.
        case columns
        /// --threads Warden workers on different sequences, single-threaded OpenBLAS.
        case sequences
        /// --threads Warden workers, sequences when the batch splits evenly, columns otherwise.
        case auto
    }

    @Option(help: "Threads to use in total.")
    var threads: Int = 2

    @Option(help: "How to use the threads: \(Strategy.allCases.map(\.rawValue).joined(separator: ", ")).")
    var strategy: Strategy = .auto

    @Option(help: "Comma-separated batch sizes.")
    var batches: String = "1,8,32"

    @Option(help: "Comma-separated sequence lengths (tokens, including [CLS] and [SEP]).")
    var lengths: String = "32,128,256"

    @Option(help: "Minimum timed runs per configuration.")
    var repeats: Int = 7

    @Option(help: "Minimum timed seconds per configuration.")
    var minTime: Double = 2

    @Option(help: "Untimed warm-up calls per configuration.")
    var warmup: Int = 3

    @Option(help: "Largest chunk of tokens processed together.")
    var chunkTokens: Int = 2048

    @Option(help: "Before each configuration, wait up to this many seconds for the machine to be idle (< 10% busy).")
    var idleWait: Double = 0

    @Option(help: "SGEMM GFLOP/s that 'eff.' is relative to (PERF.md: best 2-thread SGEMM on this machine).")
    var ceiling: Double = 197

    @Option(help: "Model directory with config.json and model.safetensors, or a base name (default: the cached --base).")
    var model: String?

    @OptionGroup var base: BaseOption

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1, minTime >= 0, warmup >= 0 else { throw ValidationError("--repeats, --min-time and --warmup must not be negative") }
        guard (try? Self.integers(batches)) != nil, (try? Self.integers(lengths)) != nil else {
            throw ValidationError("--batches and --lengths take comma-separated positive integers, e.g. 1,8,32")
        }
    }

    func run() async throws {
        let directory = try model.map { BaseModelSpec.named($0).map { ModelStore(spec: $0).directory } ?? URL(fileURLWithPath: $0) }
            ?? ModelStore(spec: base.spec()).directory
        let encoder = try Encoder.load(directory: directory)
        let options: EncoderOptions
        switch strategy {
        case .blas:
            BLAS.setThreadCount(threads)
            options = EncoderOptions(workers: 1, maxChunkTokens: chunkTokens)
        case .columns, .sequences, .auto:
            BLAS.setThreadCount(1)
            let parallelism: EncoderOptions.Parallelism = strategy == .columns ? .splitColumns : strategy == .sequences ? .splitSequences : .automatic
            options = EncoderOptions(workers: threads, parallelism: parallelism, maxChunkTokens: chunkTokens)
        }
        let c = encoder.configuration
        let title = "Warden encoder fp32 (\(directory.lastPathComponent): \(c.layerCount) layers, \(c.hiddenSize) wide, vocabulary \(c.vocabularySize)), strategy=\(strategy.rawValue), threads=\(threads) (OpenBLAS \(BLAS.threadCount) thread(s), core \(BLAS.coreName))"
        print(title)
        print(Self.machineNote())
        var rows: [EncoderBenchmark.Measurement] = []
        for length in try Self.integers(lengths) {
            for batchSize in try Self.integers(batches) {
                if idleWait > 0 { EncoderBenchmark.waitForIdle(maximumSeconds: idleWait) }
                let batch = EncoderBenchmark.randomBatch(batch: batchSize, length: length)
                let m = try EncoderBenchmark.measure(
                    encoder, batch: batch, options: options, warmup: warmup, minimumRuns: repeats, minimumSeconds: minTime)
                rows.append(m)
                print(
                    "B=\(pad(batchSize, 2)) S=\(pad(length, 3))  \(fixed(m.medianSeconds * 1e3, 2, width: 9)) ms/batch (min \(fixed(m.minimumSeconds * 1e3, 2))) "
                        + "\(fixed(m.sequencesPerSecond, 1, width: 8)) seq/s  \(fixed(m.gigaflopsPerSecond, 1, width: 6)) GFLOP/s  "
                        + "(\(m.runs) runs, \(m.cpuSecondsPerBatch.map { fixed($0 * 1e3, 2) } ?? "n/a") CPU ms/batch, other procs \(percent(m.otherProcessCPU)) CPU)")
            }
        }
        print("\n### \(title)\n")
        print("| batch | seq | ms/batch | seq/s | tokens/s | GFLOP/s | eff. | other CPU |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for m in rows {
            print(
                "| \(m.batch) | \(m.sequenceLength) | \(fixed(m.medianSeconds * 1e3, 1)) | \(fixed(m.sequencesPerSecond, 1)) | "
                    + "\(grouped(m.tokensPerSecond)) | \(fixed(m.gigaflopsPerSecond, 0)) | \(fixed(m.gigaflopsPerSecond / ceiling * 100, 0))% | "
                    + "\(percent(m.otherProcessCPU)) |")
        }
        print("\npost-run: \(Self.machineNote())")
    }

    // MARK: - Helpers

    static func integers(_ list: String) throws -> [Int] {
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("bad list '\(list)'") }
        return values.map { $0! }
    }

    /// CPU busy share over one second and the load average, like the reference scripts' `machine_note`.
    static func machineNote() -> String {
        let busy = CPUSample.busyFraction(over: 1)
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a"
        var note = "CPU busy \(percent(busy)) (all cores), loadavg \(load)"
        if let busy, busy > 0.10 { note += "  WARNING: machine not idle, timings will be pessimistic" }
        return note
    }
}

private func fixed(_ value: Double, _ decimals: Int, width: Int = 0) -> String {
    let text = String(format: "%.\(decimals)f", value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}

private func grouped(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var out = ""
    for (i, ch) in digits.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return String(out.reversed())
}

private func percent(_ share: Double?) -> String {
    share.map { "\(Int(($0 * 100).rounded()))%" } ?? "n/a"
}
