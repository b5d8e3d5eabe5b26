import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenTensor
import WardenTokenizer

/// Computes frozen-encoder features for labelled examples, in length-sorted batches, with an
/// on-disk cache so head experiments do not re-run the encoder.
public struct FeatureBuilder: Sendable {
    public let extractor: FeatureExtractor
    public let inputs: ModelInputBuilder
    /// Most tokens in one forward pass.
    public var tokensPerBatch = 4096

    public init(extractor: FeatureExtractor, inputs: ModelInputBuilder) {
        self.extractor = extractor
        self.inputs = inputs
    }

    /// One feature row per example. Training uses each example's first window: long items are rare
    /// in the pool and the classifier max-pools windows at inference anyway.
    public func features(for examples: [LabelledExample], cacheDirectory: URL?, progress: (Int) -> Void = { _ in }) throws -> Matrix {
        let key = cacheKey(examples)
        let cacheURL = cacheDirectory?.appendingPathComponent("features-\(String(key, radix: 16)).f32")
        if let cacheURL, let cached = try? Self.read(cacheURL, rows: examples.count, columns: extractor.width) {
            progress(examples.count)
            return cached
        }
        let windows = examples.map { inputs.windows(for: $0.classificationInput)[0] }
        let order = windows.indices.sorted { windows[$0].count < windows[$1].count }
        var features = Matrix(rows: examples.count, columns: extractor.width)
        var done = 0
        var start = 0
        while start < order.count {
            var end = start
            var tokens = 0
            while end < order.count, end == start || tokens + windows[order[end]].count <= tokensPerBatch {
                tokens += windows[order[end]].count
                end += 1
            }
            let batch = try extractor.features(of: order[start..<end].map { windows[$0] })
            features.withMutableView { out in
                batch.withView { rows in
                    for (r, index) in order[start..<end].enumerated() {
                        out.row(index).update(from: rows.row(r), count: rows.columns)
                    }
                }
            }
            done += end - start
            progress(done)
            start = end
        }
        if let cacheURL {
            try? FileManager.default.createDirectory(at: cacheURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? Self.write(features, to: cacheURL)
        }
        return features
    }

    /// Depends on the examples' ids and text, the pooled layers, the window settings and, for any base but MiniLM
    /// (whose keys predate a second base and stay valid), the tokenizer family and encoder shape.
    func cacheKey(_ examples: [LabelledExample]) -> UInt64 {
        var text = "v1|\(extractor.layers)|\(inputs.maxLength)|\(inputs.overlap)|\(examples.count)"
        if inputs.tokenizer.family != .wordPiece {
            let c = extractor.encoder.configuration
            text += "|\(inputs.tokenizer.family.rawValue)|\(c.vocabularySize)|\(c.layerCount)|\(c.hiddenSize)"
        }
        for example in examples { text += "|\(example.id):\(example.prompt.count):\(example.response?.count ?? -1)" }
        return DataSplit.fnv1a(text)
    }

    static func write(_ matrix: Matrix, to url: URL) throws {
        let data = matrix.storage.withUnsafeBufferPointer { Data(buffer: $0) }
        try data.write(to: url, options: .atomic)
    }

    static func read(_ url: URL, rows: Int, columns: Int) throws -> Matrix {
        let data = try Data(contentsOf: url)
        guard data.count == rows * columns * MemoryLayout<Float>.size else { throw CocoaError(.fileReadCorruptFile) }
        let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return Matrix(rows: rows, columns: columns, storage: values)
    }
}
