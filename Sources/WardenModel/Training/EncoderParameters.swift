import WardenTensor

/// What a parameter tensor of the encoder is, for deciding what trains and what decays.
public enum EncoderParameterKind: String, Sendable, CaseIterable {
    case wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings
    /// LayerNorm γ and β (embedding, attention and output norms).
    case layerNorm
    /// Biases of the linear layers.
    case bias
    /// Weight matrices of the linear layers (QKV, attention output, FFN up, FFN down).
    case linearWeight
}

/// The four linear layers of a BERT layer.
public enum EncoderLinear: String, Sendable, CaseIterable {
    /// Fused query/key/value, `[3H, H]`, rows interleaved by head (see ``EncoderActivations``).
    case qkv
    case attentionOutput = "attention_output"
    case intermediate
    case output
}

/// Where each parameter tensor lives inside the encoder's packed parameter block.
///
/// The trainer keeps gradients, optimiser moments and weight snapshots in buffers with this same layout,
/// so an update is one pass over matching offsets. Offsets come from the packed weights themselves, so the
/// layout follows whatever order the forward pass packs its tensors in.
public struct EncoderParameterLayout: Sendable {
    public struct Tensor: Sendable, Hashable {
        /// Hugging Face name (`encoder.layer.0.attention.output.dense.weight`); the fused QKV tensors are
        /// `encoder.layer.N.attention.self.qkv.weight|bias` (head-interleaved rows).
        public var name: String
        public var offset: Int
        public var rows: Int
        public var columns: Int
        public var kind: EncoderParameterKind
        /// Layer index, or nil for embeddings.
        public var layer: Int?
        public var linear: EncoderLinear?

        public var count: Int { rows * columns }
        public var range: Range<Int> { offset..<offset + count }
    }

    public let tensors: [Tensor]
    /// Floats a buffer with this layout needs (the end of the last tensor).
    public let capacity: Int
    /// Whether linear weights are stored transposed, `[in, out]`, rather than PyTorch's `[out, in]` (the tensor's
    /// `rows` and `columns` are the stored shape either way).
    public let linearWeightsTransposed: Bool

    public func tensor(layer: Int?, linear: EncoderLinear, bias: Bool = false) -> Tensor {
        tensors.first { $0.layer == layer && $0.linear == linear && ($0.kind == .bias) == bias }!
    }
}

extension Encoder {
    /// The layout of this encoder's packed parameters.
    public var parameterLayout: EncoderParameterLayout { packed.parameterLayout }
}

extension PackedEncoderWeights {
    /// Whether the packed linear weights are `[in, out]`; the backward pass and the adapters follow this flag.
    /// (The fused QKV weight's head interleaving is along its output dimension either way.)
    static let linearWeightsTransposed = true

    var parameterLayout: EncoderParameterLayout {
        let c = configuration
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        let origin = pointer(0)
        var tensors: [EncoderParameterLayout.Tensor] = []
        let transposed = Self.linearWeightsTransposed
        func add(_ name: String, _ offset: Int, _ rows: Int, _ columns: Int, _ kind: EncoderParameterKind,
                 layer: Int? = nil, linear: EncoderLinear? = nil) {
            let (rows, columns) = kind == .linearWeight && transposed ? (columns, rows) : (rows, columns)
            tensors.append(.init(name: name, offset: offset, rows: rows, columns: columns, kind: kind, layer: layer, linear: linear))
        }
        add("embeddings.word_embeddings.weight", wordEmbeddings.base - origin, c.vocabularySize, h, .wordEmbeddings)
        add("embeddings.position_embeddings.weight", positionEmbeddings.base - origin, c.maxPositionEmbeddings, h, .positionEmbeddings)
        add("embeddings.token_type_embeddings.weight", tokenTypeEmbeddings.base - origin, c.typeVocabularySize, h, .tokenTypeEmbeddings)
        add("embeddings.LayerNorm.weight", embeddingGamma - origin, 1, h, .layerNorm)
        add("embeddings.LayerNorm.bias", embeddingBeta - origin, 1, h, .layerNorm)
        for (l, p) in layers.enumerated() {
            let n = "encoder.layer.\(l)."
            add(n + "attention.self.qkv.weight", p.qkvWeight, 3 * h, h, .linearWeight, layer: l, linear: .qkv)
            add(n + "attention.self.qkv.bias", p.qkvBias, 1, 3 * h, .bias, layer: l, linear: .qkv)
            add(n + "attention.output.dense.weight", p.attentionOutputWeight, h, h, .linearWeight, layer: l, linear: .attentionOutput)
            add(n + "attention.output.dense.bias", p.attentionOutputBias, 1, h, .bias, layer: l, linear: .attentionOutput)
            add(n + "attention.output.LayerNorm.weight", p.attentionGamma, 1, h, .layerNorm, layer: l)
            add(n + "attention.output.LayerNorm.bias", p.attentionBeta, 1, h, .layerNorm, layer: l)
            add(n + "intermediate.dense.weight", p.intermediateWeight, i, h, .linearWeight, layer: l, linear: .intermediate)
            add(n + "intermediate.dense.bias", p.intermediateBias, 1, i, .bias, layer: l, linear: .intermediate)
            add(n + "output.dense.weight", p.outputWeight, h, i, .linearWeight, layer: l, linear: .output)
            add(n + "output.dense.bias", p.outputBias, 1, h, .bias, layer: l, linear: .output)
            add(n + "output.LayerNorm.weight", p.outputGamma, 1, h, .layerNorm, layer: l)
            add(n + "output.LayerNorm.bias", p.outputBeta, 1, h, .layerNorm, layer: l)
        }
        return EncoderParameterLayout(
            tensors: tensors, capacity: tensors.map { $0.offset + $0.count }.max() ?? 0, linearWeightsTransposed: transposed)
    }
}

/// Where a backward pass accumulates parameter gradients.
///
/// Dense gradients go into ``buffer`` (laid out as ``EncoderParameterLayout``) for the kinds in ``trainable``;
/// the other kinds are skipped (frozen). ``linearHook``, when set, sees every linear layer's input and output
/// gradient instead, which is all a low-rank adapter needs (`dB = s·dYᵀ·(X·Aᵀ)`, `dA = s·(dY·B)ᵀ·X`).
public final class EncoderGradients {
    public let layout: EncoderParameterLayout
    public let buffer: FloatBuffer
    public var trainable: Set<EncoderParameterKind>
    /// Called once per linear layer per backward pass with `(layer, linear, input X [T, in], output gradient dY [T, out])`.
    /// QKV columns are head-interleaved, as in the forward pass.
    public var linearHook: ((Int, EncoderLinear, MatrixView, MatrixView) -> Void)?

    public init(layout: EncoderParameterLayout, trainable: Set<EncoderParameterKind>) {
        self.layout = layout
        self.trainable = trainable
        buffer = FloatBuffer(capacity: layout.capacity)
    }

    /// Zeroes the gradients of the trainable tensors.
    public func zero() {
        for tensor in layout.tensors where trainable.contains(tensor.kind) {
            (buffer.base + tensor.offset).update(repeating: 0, count: tensor.count)
        }
    }

    func pointer(_ offset: Int, _ kind: EncoderParameterKind) -> UnsafeMutablePointer<Float>? {
        trainable.contains(kind) ? buffer.base + offset : nil
    }
}
