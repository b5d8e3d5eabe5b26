import WardenTensor

/// Everything the training forward pass keeps for the backward pass, for the whole batch (rows in packed order).
///
/// Buffers are ``FloatBuffer``s so the trainer can take views of them for the backward kernels
/// (`LayerNorm.backward`, `GELU.backward`, `Softmax.backward`, `BLAS.gemmBackward`) for as long as it holds this
/// object. The QKV activations use the encoder's head-interleaved layout: head `h` owns columns
/// `[3·d·h, 3·d·(h+1))` = query, key, value (`d` = head size).
public final class EncoderActivations {
    /// One layer's saved intermediates.
    public final class Layer {
        /// `[T, 3H]` query/key/value after bias, head-interleaved.
        public let qkv: FloatBuffer
        /// Softmax outputs: for sequence `s` and head `h`, a `S×S` block at ``EncoderActivations/probabilityOffset(sequence:head:)``.
        public let probabilities: FloatBuffer
        /// `[T, H]` attention context (heads concatenated, before the output projection).
        public let context: FloatBuffer
        /// `[T, H]` input of the attention LayerNorm (projection + bias + residual), with its statistics.
        public let attentionSum: FloatBuffer
        public let attentionMean: FloatBuffer
        public let attentionInverseStd: FloatBuffer
        /// `[T, H]` output of the attention LayerNorm (input of the FFN and its residual).
        public let attentionNormed: FloatBuffer
        /// `[T, I]` FFN up-projection plus bias (the GELU input; recompute GELU from it when needed).
        public let intermediatePre: FloatBuffer
        /// `[T, H]` input of the output LayerNorm, with its statistics.
        public let outputSum: FloatBuffer
        public let outputMean: FloatBuffer
        public let outputInverseStd: FloatBuffer

        init(tokens t: Int, configuration c: EncoderConfiguration, probabilityCount: Int) {
            let h = c.hiddenSize
            qkv = FloatBuffer(capacity: t * 3 * h)
            probabilities = FloatBuffer(capacity: probabilityCount)
            context = FloatBuffer(capacity: t * h)
            attentionSum = FloatBuffer(capacity: t * h)
            attentionMean = FloatBuffer(capacity: t)
            attentionInverseStd = FloatBuffer(capacity: t)
            attentionNormed = FloatBuffer(capacity: t * h)
            intermediatePre = FloatBuffer(capacity: t * c.intermediateSize)
            outputSum = FloatBuffer(capacity: t * h)
            outputMean = FloatBuffer(capacity: t)
            outputInverseStd = FloatBuffer(capacity: t)
        }
    }

    public let batch: PackedBatch
    public let configuration: EncoderConfiguration
    /// `[T, H]` word + position + token-type embedding sum (input of the embedding LayerNorm), with statistics.
    public let embeddingSum: FloatBuffer
    public let embeddingMean: FloatBuffer
    public let embeddingInverseStd: FloatBuffer
    /// `layerCount + 1` buffers `[T, H]`: index 0 the embedding output, index `k` layer `k`'s output (= the input of layer `k + 1`).
    public let hiddenStates: [FloatBuffer]
    public let layers: [Layer]
    /// Start of sequence `s`'s probabilities inside each layer's ``Layer/probabilities``.
    public let probabilityOffsets: [Int]
    /// The dropout the forward pass applied (the backward pass recomputes its masks); the saved probabilities
    /// are the softmax outputs before dropout.
    public internal(set) var dropout: Dropout?

    init(batch: PackedBatch, configuration c: EncoderConfiguration) {
        self.batch = batch
        configuration = c
        let t = batch.tokenCount
        var offsets: [Int] = []
        var total = 0
        for s in 0..<batch.count {
            offsets.append(total)
            let length = batch.range(ofSequence: s).count
            total += c.attentionHeadCount * length * length
        }
        probabilityOffsets = offsets
        embeddingSum = FloatBuffer(capacity: t * c.hiddenSize)
        embeddingMean = FloatBuffer(capacity: t)
        embeddingInverseStd = FloatBuffer(capacity: t)
        hiddenStates = (0...c.layerCount).map { _ in FloatBuffer(capacity: t * c.hiddenSize) }
        layers = (0..<c.layerCount).map { _ in Layer(tokens: t, configuration: c, probabilityCount: total) }
    }

    /// Offset of the `S×S` probability block of (`sequence`, `head`) inside a layer's ``Layer/probabilities``.
    public func probabilityOffset(sequence: Int, head: Int) -> Int {
        let length = batch.range(ofSequence: sequence).count
        return probabilityOffsets[sequence] + head * length * length
    }

    /// A `[tokens, columns]` view of one of the token-major buffers above.
    public func view(_ buffer: FloatBuffer, columns: Int) -> MutableMatrixView {
        buffer.view(rows: batch.tokenCount, columns: columns)
    }
}
