import WardenTensor
import WardenTokenizer

/// Turns token windows into the classifier's input features: the mean over tokens of each chosen
/// encoder layer, concatenated. Lower layers keep more lexical detail (slurs, obfuscated words),
/// the last layer more meaning; the head sees both.
public struct FeatureExtractor: Sendable {
    public let encoder: Encoder
    /// 1-based layers (0 = embedding output, `layerCount` = last layer).
    public let layers: [Int]
    public let workers: Int
    /// Scratch memory and helper threads, reused across calls.
    public let workspaces: EncoderWorkspacePool

    public init(encoder: Encoder, layers: [Int], workers: Int = 1, workspaces: EncoderWorkspacePool = EncoderWorkspacePool()) {
        precondition(!layers.isEmpty && layers.allSatisfy { (0...encoder.configuration.layerCount).contains($0) })
        self.encoder = encoder
        self.layers = layers
        self.workers = workers
        self.workspaces = workspaces
    }

    public var width: Int { encoder.configuration.hiddenSize * layers.count }

    /// One row of features per window.
    public func features(of windows: [Encoding]) throws -> Matrix {
        var batch = PackedBatch()
        for window in windows {
            batch.append(tokenIDs: window.ids.map(Int.init), tokenTypeIDs: window.typeIDs.map(Int.init))
        }
        let needsHidden = layers != [encoder.configuration.layerCount]
        let options = EncoderOptions(workers: workers, includeHiddenStates: needsHidden)
        let output = try workspaces.withWorkspace { try encoder.encode(batch, options: options, workspace: $0) }
        return Pooling.layerMeans(output, layers: layers, layerCount: encoder.configuration.layerCount, batch: batch)
    }
}
