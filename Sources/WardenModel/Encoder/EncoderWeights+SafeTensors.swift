import Foundation
import WardenTensor

extension EncoderWeights {
    /// Hugging Face tensor names (without any `bert.` prefix), in file order for writing.
    static func tensorNames(layerCount: Int) -> [String] {
        var names = [
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        ]
        for i in 0..<layerCount {
            let p = "encoder.layer.\(i)."
            for part in [
                "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            ] {
                names += [p + part + ".weight", p + part + ".bias"]
            }
            names += [p + "attention.output.LayerNorm.weight", p + "attention.output.LayerNorm.bias"]
            names += [p + "intermediate.dense.weight", p + "intermediate.dense.bias"]
            names += [p + "output.dense.weight", p + "output.dense.bias"]
            names += [p + "output.LayerNorm.weight", p + "output.LayerNorm.bias"]
        }
        return names
    }

    /// Reads a BERT checkpoint (HF names; a `bert.` prefix, as in `BertForSequenceClassification` files, is
    /// detected and accepted). Pooler and `position_ids` tensors are ignored.
    ///
    /// - Throws: ``SafeTensorsError`` naming the file and tensor when one is missing, mis-shaped or not a float type.
    public init(file: SafeTensorsFile, configuration c: EncoderConfiguration) throws {
        let prefix = file.contains("embeddings.word_embeddings.weight") || !file.contains("bert.embeddings.word_embeddings.weight") ? "" : "bert."
        func matrix(_ name: String, _ rows: Int, _ columns: Int) throws -> Matrix {
            try file.matrix(prefix + name, rows: rows, columns: columns)
        }
        func vector(_ name: String, _ count: Int) throws -> [Float] {
            try file.floats(prefix + name, shape: [count])
        }
        func linear(_ name: String, out: Int, in inSize: Int) throws -> LinearWeights {
            LinearWeights(weight: try matrix(name + ".weight", out, inSize), bias: try vector(name + ".bias", out))
        }
        func norm(_ name: String) throws -> LayerNormWeights {
            LayerNormWeights(gamma: try vector(name + ".weight", c.hiddenSize), beta: try vector(name + ".bias", c.hiddenSize))
        }
        let h = c.hiddenSize
        var layers: [EncoderLayerWeights] = []
        for i in 0..<c.layerCount {
            let p = "encoder.layer.\(i)."
            layers.append(
                EncoderLayerWeights(
                    query: try linear(p + "attention.self.query", out: h, in: h),
                    key: try linear(p + "attention.self.key", out: h, in: h),
                    value: try linear(p + "attention.self.value", out: h, in: h),
                    attentionOutput: try linear(p + "attention.output.dense", out: h, in: h),
                    attentionNorm: try norm(p + "attention.output.LayerNorm"),
                    intermediate: try linear(p + "intermediate.dense", out: c.intermediateSize, in: h),
                    output: try linear(p + "output.dense", out: h, in: c.intermediateSize),
                    outputNorm: try norm(p + "output.LayerNorm")))
        }
        self.init(
            wordEmbeddings: try matrix("embeddings.word_embeddings.weight", c.vocabularySize, h),
            positionEmbeddings: try matrix("embeddings.position_embeddings.weight", c.maxPositionEmbeddings, h),
            tokenTypeEmbeddings: try matrix("embeddings.token_type_embeddings.weight", c.typeVocabularySize, h),
            embeddingNorm: try norm("embeddings.LayerNorm"),
            layers: layers)
    }

    /// The parameters as named fp32 tensors (HF names, no prefix), ready for ``SafeTensorsWriter``.
    public func namedTensors() -> [SafeTensorsWriter.Tensor] {
        func vector(_ name: String, _ v: [Float]) -> SafeTensorsWriter.Tensor { .init(name: name, shape: [v.count], values: v) }
        func linear(_ name: String, _ l: LinearWeights) -> [SafeTensorsWriter.Tensor] {
            [.init(name: name + ".weight", matrix: l.weight), vector(name + ".bias", l.bias)]
        }
        func norm(_ name: String, _ n: LayerNormWeights) -> [SafeTensorsWriter.Tensor] {
            [vector(name + ".weight", n.gamma), vector(name + ".bias", n.beta)]
        }
        var tensors: [SafeTensorsWriter.Tensor] = [
            .init(name: "embeddings.word_embeddings.weight", matrix: wordEmbeddings),
            .init(name: "embeddings.position_embeddings.weight", matrix: positionEmbeddings),
            .init(name: "embeddings.token_type_embeddings.weight", matrix: tokenTypeEmbeddings),
        ]
        tensors += norm("embeddings.LayerNorm", embeddingNorm)
        for (i, layer) in layers.enumerated() {
            let p = "encoder.layer.\(i)."
            tensors += linear(p + "attention.self.query", layer.query)
            tensors += linear(p + "attention.self.key", layer.key)
            tensors += linear(p + "attention.self.value", layer.value)
            tensors += linear(p + "attention.output.dense", layer.attentionOutput)
            tensors += norm(p + "attention.output.LayerNorm", layer.attentionNorm)
            tensors += linear(p + "intermediate.dense", layer.intermediate)
            tensors += linear(p + "output.dense", layer.output)
            tensors += norm(p + "output.LayerNorm", layer.outputNorm)
        }
        return tensors
    }
}

extension EncoderWeights {
    /// Deterministic random weights for `configuration` (small tests, training from scratch experiments):
    /// matrices uniform in ±`scale`, biases ±`scale`/2, LayerNorm γ near 1 and β near 0.
    public static func random(configuration c: EncoderConfiguration, seed: UInt64, scale: Float = 0.1) -> EncoderWeights {
        var state = seed
        func next() -> Float {
            // SplitMix64 → uniform in [-1, 1).
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 23) - 1
        }
        func matrix(_ rows: Int, _ columns: Int, _ s: Float) -> Matrix {
            Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in next() * s })
        }
        func vector(_ n: Int, center: Float, _ s: Float) -> [Float] { (0..<n).map { _ in center + next() * s } }
        func linear(out: Int, in inSize: Int) -> LinearWeights {
            LinearWeights(weight: matrix(out, inSize, scale), bias: vector(out, center: 0, scale / 2))
        }
        func norm() -> LayerNormWeights {
            LayerNormWeights(gamma: vector(c.hiddenSize, center: 1, 0.1), beta: vector(c.hiddenSize, center: 0, 0.1))
        }
        let h = c.hiddenSize
        let layers = (0..<c.layerCount).map { _ in
            EncoderLayerWeights(
                query: linear(out: h, in: h), key: linear(out: h, in: h), value: linear(out: h, in: h),
                attentionOutput: linear(out: h, in: h), attentionNorm: norm(),
                intermediate: linear(out: c.intermediateSize, in: h), output: linear(out: h, in: c.intermediateSize),
                outputNorm: norm())
        }
        return EncoderWeights(
            wordEmbeddings: matrix(c.vocabularySize, h, 1), positionEmbeddings: matrix(c.maxPositionEmbeddings, h, 0.5),
            tokenTypeEmbeddings: matrix(c.typeVocabularySize, h, 0.5), embeddingNorm: norm(), layers: layers)
    }
}
