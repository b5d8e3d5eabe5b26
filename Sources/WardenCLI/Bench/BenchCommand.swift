import ArgumentParser
import Foundation
import WardenBench
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

    @Option(help: "Pause this many milliseconds before each timed run, so helper threads and cores go idle as on a lightly loaded server (0: back to back).")
    var gapMs: Double = 0

    @Option(help: "How long an idle helper thread polls for work before it sleeps, in microseconds.")
    var spinUs: Int = 200

    @Option(help: "Before each configuration, wait up to this many seconds for the machine to be idle (< 10% busy).")
    var idleWait: Double = 0

    @Option(help: "SGEMM GFLOP/s that 'eff.' is relative to (PERF.md: best 2-thread SGEMM on this machine).")
    var ceiling: Double = 197

    @Option(help: "Model directory with config.json and model.safetensors, or a base name (default: the cached --base).")
    var model: String?

    @OptionGroup var base: BaseOption

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1, minTime >= 0, warmup >= 0, gapMs >= 0 else { throw ValidationError("--repeats, --min-time, --warmup and --gap-ms must not be negative") }
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
        print(CPUSample.machineNote())
        var rows: [EncoderBenchmark.Measurement] = []
        for length in try Self.integers(lengths) {
            for batchSize in try Self.integers(batches) {
                if idleWait > 0 { EncoderBenchmark.waitForIdle(maximumSeconds: idleWait) }
                let batch = EncoderBenchmark.randomBatch(batch: batchSize, length: length)
                let m = try EncoderBenchmark.measure(
                    encoder, batch: batch, options: options, warmup: warmup, minimumRuns: repeats, minimumSeconds: minTime,
                    gap: .microseconds(Int64(gapMs * 1_000)), workspace: EncoderWorkspace(spinTime: .microseconds(spinUs)))
                rows.append(m)
                print(m.line)
            }
        }
        print("\n" + EncoderBenchmark.markdownTable(title: title, rows: rows, ceiling: ceiling))
        print("\npost-run: \(CPUSample.machineNote())")
    }

    // MARK: - Helpers

    static func integers(_ list: String) throws -> [Int] {
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("bad list '\(list)'") }
        return values.map { $0! }
    }
}
