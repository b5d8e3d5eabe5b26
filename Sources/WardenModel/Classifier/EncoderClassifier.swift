import Foundation
import WardenCore
import WardenTensor
import WardenTokenizer

/// The shipped safety classifier: normalise, tokenize into windows, encode, pool several layers,
/// score with the head, calibrate per label, max-pool the windows of each input.
public final class EncoderClassifier: WindowedClassifier, TextEmbedder {
    public let manifest: ModelManifest
    public let encoder: Encoder
    public let head: ClassifierHead
    public let inputs: ModelInputBuilder
    /// Pools the chosen layers; holds the workspaces every forward pass of this classifier borrows.
    public let extractor: FeatureExtractor
    /// Forward-pass threads per call (the encoder splits its GEMMs between them).
    public let workers: Int
    /// Windows per forward pass in ``classify(_:)``, at most: bounds the activations one call holds.
    public let windowsPerPass = 32

    public var modelID: String { "\(manifest.id)@\(manifest.version)" }
    public var labels: [String] { manifest.labels }
    public var operatingThresholds: [String: Double] { manifest.thresholds }
    public var languageThresholds: [String: [String: Double]] { manifest.languageThresholds ?? [:] }
    public var dimension: Int { encoder.configuration.hiddenSize }

    public init(manifest: ModelManifest, encoder: Encoder, head: ClassifierHead, tokenizer: any Tokenizer, workers: Int = 1) {
        self.manifest = manifest
        self.encoder = encoder
        self.head = head
        self.workers = workers
        extractor = FeatureExtractor(encoder: encoder, layers: manifest.pooling.layers, workers: workers)
        let normalizer = TextNormalizer(options: manifest.normalization.options)
        inputs = ModelInputBuilder(
            tokenizer: tokenizer, maxLength: manifest.maxLength, overlap: manifest.windowOverlap,
            normalize: { normalizer.normalize($0) })
    }

    /// Loads a bundle folder over the verified base model it was trained on (in `store`'s home; the base named by
    /// the manifest when it is a known one, else `store`'s).
    ///
    /// With `workers > 1` this sets OpenBLAS (process-wide) to one thread: the workers already split every GEMM,
    /// and two levels of threads on top of each other oversubscribe the cores.
    public static func load(bundle: URL, store: ModelStore = ModelStore(), workers: Int = 1) throws -> EncoderClassifier {
        if workers > 1 { BLAS.setThreadCount(1) }
        let manifest = try ModelManifest.load(from: bundle)
        let store = ModelStore(home: store.home, spec: BaseModelSpec.matching(manifest.base) ?? store.spec)
        let base = try store.locate()
        for (file, expected) in manifest.base.sha256 where store.spec.sha256[file] != expected {
            throw ModelBundleError.baseMismatch(bundle: bundle.path, file: file, expected: expected, actual: store.spec.sha256[file] ?? "none")
        }
        let encoder = try Encoder.load(directory: base.directory, delta: manifest.encoderDelta.map { bundle.appendingPathComponent($0) })
        let head = try ClassifierHead.load(from: bundle.appendingPathComponent(manifest.head.file), spec: manifest.head, labels: manifest.labels.count)
        // User text must never be able to inject [SEP]/[CLS] (or </s>/<s>) into the model's input.
        let tokenizer = try base.tokenizer(specialTokensInText: .plainText)
        return EncoderClassifier(manifest: manifest, encoder: encoder, head: head, tokenizer: tokenizer, workers: workers)
    }

    /// Scores inputs window by window, at most ``windowsPerPass`` windows per forward pass, so memory stays bounded
    /// however long an input is; a cancelled task stops between passes.
    public func classify(_ batch: [ClassificationInput]) async throws -> [LabelScores] {
        try await classifyInPasses(batch, windowsPerPass: windowsPerPass)
    }

    /// Scores a batch on the calling thread (all its windows in one pass).
    public func classifySynchronously(_ batch: [ClassificationInput]) throws -> [LabelScores] {
        let windowed = WindowedBatch(batch) { inputs.windows(for: $0) }
        var scores = [LabelScores](repeating: LabelScores(), count: batch.count)
        windowed.merge(try scoreSynchronously(windowed.windows), startingAt: 0, into: &scores)
        return scores
    }

    public func windows(of input: ClassificationInput) -> [ScoringWindow] {
        inputs.windows(for: input).map(ScoringWindow.init)
    }

    public func score(_ windows: [ScoringWindow]) async throws -> [LabelScores] {
        let encodings = windows.map { window in
            guard let encoding = window.content as? Encoding else {
                preconditionFailure("a window of another classifier was passed to EncoderClassifier")
            }
            return encoding
        }
        return try await Self.offload { try self.scoreSynchronously(encodings) }
    }

    /// Calibrated scores of each window, in one forward pass.
    func scoreSynchronously(_ windows: [Encoding]) throws -> [LabelScores] {
        guard !windows.isEmpty else { return [] }
        let logits = head.logits(try features(of: windows))
        return logits.withView { view in
            (0..<windows.count).map { row in
                var values: [String: Double] = [:]
                for (j, label) in manifest.labels.enumerated() {
                    let calibration = manifest.calibration[label] ?? .identity
                    values[label] = calibration.probability(Double(view[row, j]))
                }
                return LabelScores(values)
            }
        }
    }

    /// Pooled features of each window (see ``FeatureExtractor``).
    public func features(of windows: [Encoding]) throws -> Matrix {
        try extractor.features(of: windows)
    }

    /// Unit-length sentence embeddings (mean of the last layer, L2-normalised), for custom categories.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        try await Self.offload {
            var batch = PackedBatch()
            for text in texts {
                let encoding = self.inputs.tokenizer.encode(text, maxLength: self.manifest.maxLength)
                batch.append(tokenIDs: encoding.ids.map(Int.init), tokenTypeIDs: encoding.typeIDs.map(Int.init))
            }
            let options = EncoderOptions(workers: self.workers)
            let output = try self.extractor.workspaces.withWorkspace { try self.encoder.encode(batch, options: options, workspace: $0) }
            return (0..<texts.count).map { output.sentenceEmbeddings.row($0) }
        }
    }

    /// Runs CPU-bound work off the cooperative thread pool, so a forward pass never starves the
    /// event loops and tasks that serve requests.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
