import Foundation
import WardenTensor

/// What fine-tuning changed in the base encoder, as stored in a bundle's `encoder_delta` file.
///
/// - Low-rank adapters per linear layer: `W' = W + (alpha / rank) · B · A`, `A` is `[rank, in]`, `B` is `[out, rank]`.
///   Keys are the Hugging Face module names (`encoder.layer.0.attention.output.dense`); the fused QKV adapter is
///   `encoder.layer.N.attention.self.qkv` with `B`'s rows in query, key, value order (one shared `A`).
/// - Additive deltas for any other tensor, by its Hugging Face name (LayerNorms, biases, or every tensor of
///   a full fine-tune).
///
/// File: safetensors, tensors `<module>.lora_a`, `<module>.lora_b` and `<tensor name>` (the delta), metadata
/// `format = warden-encoder-delta-v1`, `lora_rank`, `lora_alpha`.
public struct EncoderDelta: Sendable, Equatable {
    public struct Adapter: Sendable, Equatable {
        public var a: Matrix
        public var b: Matrix
        public init(a: Matrix, b: Matrix) {
            precondition(a.rows == b.columns, "LoRA: A has \(a.rows) rows but B has \(b.columns) columns")
            self.a = a
            self.b = b
        }
    }

    public static let format = "warden-encoder-delta-v1"
    public var rank: Int
    public var alpha: Float
    public var adapters: [String: Adapter]
    public var deltas: [String: [Float]]

    public init(rank: Int, alpha: Float, adapters: [String: Adapter] = [:], deltas: [String: [Float]] = [:]) {
        self.rank = rank
        self.alpha = alpha
        self.adapters = adapters
        self.deltas = deltas
    }

    public var scale: Float { rank > 0 ? alpha / Float(rank) : 0 }

    /// Module names of the adapted linears of layer `index`, in ``EncoderLinear`` order.
    public static func moduleName(layer index: Int, linear: EncoderLinear) -> String {
        let p = "encoder.layer.\(index)."
        switch linear {
        case .qkv: return p + "attention.self.qkv"
        case .attentionOutput: return p + "attention.output.dense"
        case .intermediate: return p + "intermediate.dense"
        case .output: return p + "output.dense"
        }
    }

    public func write(to url: URL) throws {
        var tensors: [SafeTensorsWriter.Tensor] = []
        for name in adapters.keys.sorted() {
            let adapter = adapters[name]!
            tensors += [.init(name: name + ".lora_a", matrix: adapter.a), .init(name: name + ".lora_b", matrix: adapter.b)]
        }
        for name in deltas.keys.sorted() {
            tensors.append(.init(name: name, shape: [deltas[name]!.count], values: deltas[name]!))
        }
        try SafeTensorsWriter.write(
            tensors, metadata: ["format": Self.format, "lora_rank": String(rank), "lora_alpha": String(alpha)], to: url)
    }

    /// Reads a delta file; shapes are checked when it is applied.
    public static func load(from url: URL) throws -> EncoderDelta {
        let file = try SafeTensorsFile(contentsOf: url)
        guard file.metadata["format"] == format else {
            throw SafeTensorsError.malformedHeader(file: url.path, detail: "metadata format is not \(format)")
        }
        var delta = EncoderDelta(rank: Int(file.metadata["lora_rank"] ?? "") ?? 0, alpha: Float(file.metadata["lora_alpha"] ?? "") ?? 0)
        for name in file.tensorNames {
            if name.hasSuffix(".lora_a") {
                let module = String(name.dropLast(".lora_a".count))
                let a = file.tensors[name]!, b = file.tensors[module + ".lora_b"]
                guard a.shape.count == 2, let b, b.shape.count == 2, b.shape[1] == a.shape[0] else {
                    throw SafeTensorsError.malformedHeader(file: url.path, detail: "\(module): lora_a/lora_b missing or mis-shaped")
                }
                delta.adapters[module] = Adapter(
                    a: try file.matrix(name, rows: a.shape[0], columns: a.shape[1]),
                    b: try file.matrix(module + ".lora_b", rows: b.shape[0], columns: b.shape[1]))
            } else if !name.hasSuffix(".lora_b") {
                delta.deltas[name] = try file.floats(name)
            }
        }
        return delta
    }
}

public enum EncoderDeltaError: Error, LocalizedError, Equatable {
    case unknownTensor(file: String, name: String)
    case shapeMismatch(file: String, name: String, expected: Int, actual: Int)

    public var errorDescription: String? {
        switch self {
        case .unknownTensor(let file, let name):
            "\(file): tensor \(name) does not name a tensor or module of the base encoder; was the delta made for another model?"
        case .shapeMismatch(let file, let name, let expected, let actual):
            "\(file): \(name) has \(actual) values but the base encoder's tensor has \(expected); was the delta made for another model?"
        }
    }
}

extension EncoderWeights {
    /// The weights with `delta` merged in: every adapter folded into its weight matrix, every delta added.
    public func applying(_ delta: EncoderDelta, file: String = "encoder_delta") throws -> EncoderWeights {
        var tensors = namedTensors()
        var index: [String: Int] = [:]
        for (i, tensor) in tensors.enumerated() { index[tensor.name] = i }
        func add(_ name: String, _ values: [Float]) throws {
            guard let i = index[name] else { throw EncoderDeltaError.unknownTensor(file: file, name: name) }
            guard tensors[i].values.count == values.count else {
                throw EncoderDeltaError.shapeMismatch(file: file, name: name, expected: tensors[i].values.count, actual: values.count)
            }
            tensors[i].values.withUnsafeMutableBufferPointer { target in
                for j in 0..<values.count { target[j] += values[j] }
            }
        }
        for (name, values) in delta.deltas { try add(name, values) }
        for (module, adapter) in delta.adapters {
            let product = Matrix.product(adapter.b, adapter.a, alpha: delta.scale)  // [out, in]
            if module.hasSuffix(".attention.self.qkv") {
                let prefix = String(module.dropLast("qkv".count))
                let part = product.rows / 3
                for (k, name) in ["query", "key", "value"].enumerated() {
                    try add(prefix + name + ".weight", Array(product.rows(k * part..<(k + 1) * part).storage))
                }
            } else {
                try add(module + ".weight", product.storage)
            }
        }
        return EncoderWeights(namedTensors: tensors, template: self)
    }

    /// Rebuilds weights from tensors named as ``namedTensors()`` returns them (same order and shapes as `template`).
    init(namedTensors tensors: [SafeTensorsWriter.Tensor], template: EncoderWeights) {
        var values: [String: [Float]] = [:]
        for tensor in tensors { values[tensor.name] = tensor.values }
        func matrix(_ name: String, like m: Matrix) -> Matrix { Matrix(rows: m.rows, columns: m.columns, storage: values[name]!) }
        func linear(_ name: String, like l: LinearWeights) -> LinearWeights {
            LinearWeights(weight: matrix(name + ".weight", like: l.weight), bias: values[name + ".bias"]!)
        }
        func norm(_ name: String) -> LayerNormWeights {
            LayerNormWeights(gamma: values[name + ".weight"]!, beta: values[name + ".bias"]!)
        }
        self.init(
            wordEmbeddings: matrix("embeddings.word_embeddings.weight", like: template.wordEmbeddings),
            positionEmbeddings: matrix("embeddings.position_embeddings.weight", like: template.positionEmbeddings),
            tokenTypeEmbeddings: matrix("embeddings.token_type_embeddings.weight", like: template.tokenTypeEmbeddings),
            embeddingNorm: norm("embeddings.LayerNorm"),
            layers: template.layers.enumerated().map { i, layer in
                let p = "encoder.layer.\(i)."
                return EncoderLayerWeights(
                    query: linear(p + "attention.self.query", like: layer.query),
                    key: linear(p + "attention.self.key", like: layer.key),
                    value: linear(p + "attention.self.value", like: layer.value),
                    attentionOutput: linear(p + "attention.output.dense", like: layer.attentionOutput),
                    attentionNorm: norm(p + "attention.output.LayerNorm"),
                    intermediate: linear(p + "intermediate.dense", like: layer.intermediate),
                    output: linear(p + "output.dense", like: layer.output),
                    outputNorm: norm(p + "output.LayerNorm"))
            })
    }
}

extension Encoder {
    /// Loads the base model from `directory` and, if given, merges a bundle's `encoder_delta` into it before
    /// packing, so a fine-tuned bundle runs at exactly the base model's speed.
    public static func load(directory: URL, delta: URL?) throws -> Encoder {
        let base = try load(directory: directory)
        guard let delta else { return base }
        let merged = try base.weights.applying(EncoderDelta.load(from: delta), file: delta.path)
        return Encoder(configuration: base.configuration, weights: merged)
    }
}
