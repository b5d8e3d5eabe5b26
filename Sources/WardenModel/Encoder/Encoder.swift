import Foundation
import WardenTensor

/// How ``Encoder/encode(_:options:workspace:)`` runs.
public struct EncoderOptions: Sendable, Equatable {
    /// How a forward pass uses several workers.
    public enum Parallelism: Sendable, Equatable {
        /// Sequence split when the batch divides into balanced chunks, column split otherwise.
        case automatic
        /// Each GEMM is split into column blocks (and attention into head groups), one per worker.
        case splitColumns
        /// Whole chunks of sequences go to different workers.
        case splitSequences
    }

    /// Threads of Warden's own (each calls single-threaded BLAS; keep ``BLAS/threadCount`` at 1 when this is > 1).
    ///
    /// On the 2-vCPU reference machine, `workers: 2` with ``Parallelism/automatic`` and one BLAS thread was the
    /// fastest configuration for every measured shape (BENCHMARKS.md); 2 OpenBLAS threads were slower at
    /// 128+ tokens and collapse when another process wants a core.
    public var workers: Int
    public var parallelism: Parallelism
    /// Largest number of tokens processed together; big batches are cut at sequence boundaries so the
    /// `tokens × 1536` FFN activations stay in cache (~2k tokens ≈ 12 MB).
    public var maxChunkTokens: Int
    /// Also return the embedding output and every layer's output (``EncoderOutput/hiddenStates``).
    public var includeHiddenStates: Bool
    /// Dropout of ``Encoder/encodeForTraining(_:options:)`` (ignored by inference).
    public var dropout: Dropout?

    public init(
        workers: Int = 1, parallelism: Parallelism = .automatic, maxChunkTokens: Int = 2048, includeHiddenStates: Bool = false,
        dropout: Dropout? = nil
    ) {
        self.workers = max(1, workers)
        self.parallelism = parallelism
        self.maxChunkTokens = max(1, maxChunkTokens)
        self.includeHiddenStates = includeHiddenStates
        self.dropout = dropout
    }
}

/// A BERT encoder (post-LN, exact GELU, absolute positions), as all-MiniLM-L6-v2 / `BertModel` without pooler.
///
/// Immutable and `Sendable`: share one instance between tasks. Each call to ``encode(_:options:workspace:)``
/// allocates its own scratch space unless given an ``EncoderWorkspace`` to reuse.
public struct Encoder: Sendable {
    public let configuration: EncoderConfiguration
    let packed: PackedEncoderWeights

    /// An encoder over `weights`, which must match `configuration` (checked with `precondition`).
    public init(configuration: EncoderConfiguration, weights: EncoderWeights) {
        self.configuration = configuration
        self.packed = PackedEncoderWeights(weights, configuration: configuration)
    }

    /// An encoder over already packed parameters (a ``TrainingEncoder``'s own, or a snapshot of them).
    init(packed: PackedEncoderWeights) {
        configuration = packed.configuration
        self.packed = packed
    }

    /// Loads `config.json` and `model.safetensors` from a Hugging Face model directory.
    /// - Throws: ``EncoderError`` or ``SafeTensorsError`` naming the file (and key or tensor) at fault.
    public static func load(directory: URL) throws -> Encoder {
        let configURL = directory.appendingPathComponent("config.json")
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        for url in [configURL, weightsURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw EncoderError.missingModelFile(path: url.path)
        }
        let configuration = try EncoderConfiguration.load(from: configURL)
        let weights = try EncoderWeights(file: SafeTensorsFile(contentsOf: weightsURL), configuration: configuration)
        return Encoder(configuration: configuration, weights: weights)
    }

    /// The parameters in Hugging Face layout (a copy).
    public var weights: EncoderWeights { packed.unpacked() }

    /// Runs the encoder over a packed batch.
    ///
    /// - Returns: last hidden states of every token, mean-pooled and L2-normalised sentence embeddings per sequence,
    ///   and (if requested) every layer's hidden states.
    /// - Throws: ``EncoderError`` when a token id, token type or sequence length does not fit the model.
    public func encode(_ batch: PackedBatch, options: EncoderOptions = EncoderOptions(), workspace: EncoderWorkspace? = nil) throws -> EncoderOutput {
        try batch.validate(for: configuration)
        return run(batch, options: options, workspace: workspace ?? EncoderWorkspace(), activations: nil)
    }

    /// Runs the encoder and keeps every intermediate the backward pass needs.
    ///
    /// Memory: about `(8·hidden + intermediate)` floats per token per layer plus `heads·S²` per sequence per
    /// layer; for MiniLM that is ~110 KB per token, so train on batches of a few thousand tokens.
    public func encodeForTraining(_ batch: PackedBatch, options: EncoderOptions = EncoderOptions()) throws -> (EncoderOutput, EncoderActivations) {
        try batch.validate(for: configuration)
        let activations = EncoderActivations(batch: batch, configuration: configuration)
        activations.dropout = options.dropout.flatMap { $0.rate > 0 ? $0 : nil }
        var trainingOptions = options
        trainingOptions.includeHiddenStates = true
        let output = run(batch, options: trainingOptions, workspace: EncoderWorkspace(), activations: activations)
        return (output, activations)
    }
}

/// Reusable scratch memory for ``Encoder/encode(_:options:workspace:)``, plus the helper threads used when
/// ``EncoderOptions/workers`` > 1. Buffers grow to the largest chunk seen and then stay allocated. Not
/// thread-safe: use one workspace per concurrent caller (e.g. one per serving worker).
public final class EncoderWorkspace {
    final class WorkerScratch {
        let qkv = ScratchMatrix()
        let context = ScratchMatrix()
        let projection = ScratchMatrix()
        let intermediate = ScratchMatrix()
        var scores: [ScratchMatrix] = []

        func scores(count: Int) -> [ScratchMatrix] {
            while scores.count < count { scores.append(ScratchMatrix()) }
            return Array(scores.prefix(count))
        }
    }

    private var workers: [WorkerScratch] = []
    private var team: WorkerTeam?
    private let spinTime: Duration

    /// - Parameter spinTime: how long an idle helper thread polls for the next piece of work before it sleeps
    ///   (see ``WorkerTeam``).
    public init(spinTime: Duration = .microseconds(200)) {
        self.spinTime = spinTime
    }

    /// The fork–join executor for `workers` parts; the helper threads are started once and kept.
    func forkJoin(workers: Int) -> ForkJoin {
        if workers <= 1 { return .serial }
        if team?.size != workers { team = WorkerTeam(size: workers, spinTime: spinTime) }
        return ForkJoin(team: team!)
    }

    func worker(_ index: Int) -> WorkerScratch {
        while workers.count <= index { workers.append(WorkerScratch()) }
        return workers[index]
    }
}
