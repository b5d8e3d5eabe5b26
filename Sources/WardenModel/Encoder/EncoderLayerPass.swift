import Foundation
import WardenTensor

/// Where one chunk's pass through one layer reads and writes.
///
/// In inference the hidden state is updated in place (`input`, `attentionNormed` and `output` are one block;
/// `intermediate` is `intermediatePre`; both pre-norm sums share a block). In training every block is distinct,
/// so the ``EncoderActivations`` keep what the backward pass needs.
struct LayerBuffers: @unchecked Sendable {
    var input: MatrixView  // [C, H]
    var qkv: MutableMatrixView  // [C, 3H], head-interleaved
    var context: MutableMatrixView  // [C, H]
    var attentionSum: MutableMatrixView  // [C, H]: projection, then the pre-norm sum
    var attentionNormed: MutableMatrixView  // [C, H]
    var intermediatePre: MutableMatrixView  // [C, I]: up-projection + bias (GELU input)
    var intermediate: MutableMatrixView  // [C, I]: GELU output
    var outputSum: MutableMatrixView  // [C, H]
    var output: MutableMatrixView  // [C, H]
    var attentionStatistics: RowStatistics?
    var outputStatistics: RowStatistics?
    var keepsPreActivation: Bool
}

/// Attention-probability storage: a per-part scratch square reused for every (sequence, head) in inference, or a
/// slot per (sequence, head) in the training activations.
struct ProbabilityStorage: @unchecked Sendable {
    var scratch: [UnsafeMutablePointer<Float>]  // one per part (inference)
    var saved: UnsafeMutablePointer<Float>?  // training: this layer's probabilities
    var savedOffsets: [Int]  // training: start of each chunk-local sequence inside `saved`

    func block(part: Int, sequence: Int, head: Int, length: Int) -> MutableMatrixView {
        let base: UnsafeMutablePointer<Float>
        if let saved {
            base = saved + savedOffsets[sequence] + head * length * length
        } else {
            base = scratch[part]
        }
        return MutableMatrixView(base: base, rows: length, columns: length, stride: max(length, 1))
    }
}

/// Training dropout of one layer over one chunk: mask rows and sequences are numbered within the whole batch.
struct LayerDropout: Sendable {
    let dropout: Dropout
    let layer: Int
    let firstRow: Int
    let firstSequence: Int
}

/// One layer of the encoder over one chunk of packed sequences, split into phases that `parts` workers can share:
/// attention by heads, projections by output columns, LayerNorms by rows.
struct EncoderLayerPass: @unchecked Sendable {
    let weights: PackedEncoderWeights
    let layer: PackedEncoderWeights.Layer
    let buffers: LayerBuffers
    /// Token rows of each sequence, relative to the chunk.
    let sequences: [Range<Int>]
    /// Chunk-relative key mask (`nil`: no padding).
    let keyMask: UnsafePointer<Bool>?
    let probabilities: ProbabilityStorage
    let dropout: LayerDropout?

    func run(_ forkJoin: ForkJoin) {
        let parts = forkJoin.parts
        forkJoin.run { self.attention(part: $0, of: parts) }
        forkJoin.run { self.attentionProjection(part: $0, of: parts) }
        forkJoin.run { self.attentionNorm(part: $0, of: parts) }
        forkJoin.run { self.feedForwardUp(part: $0, of: parts) }
        forkJoin.run { self.feedForwardDown(part: $0, of: parts) }
        forkJoin.run { self.outputNorm(part: $0, of: parts) }
    }

    private var configuration: EncoderConfiguration { weights.configuration }

    /// QKV projection and softmax attention for this part's heads, over every sequence of the chunk.
    func attention(part: Int, of parts: Int) {
        let c = configuration
        let (h, d) = (c.hiddenSize, c.headSize)
        let heads = Parallel.share(of: c.attentionHeadCount, part: part, of: parts)
        guard !heads.isEmpty else { return }
        let columns = heads.lowerBound * 3 * d..<heads.upperBound * 3 * d
        let qkvBlock = buffers.qkv.columns(columns)
        BLAS.gemm(buffers.input, weights.transposedWeight(layer.qkvWeight, inputs: h, outputs: 3 * h, columns: columns), into: qkvBlock)
        Elementwise.addBias(weights.pointer(layer.qkvBias + columns.lowerBound), to: qkvBlock)

        let qkv = buffers.qkv.readOnly
        let scale = 1 / Float(d).squareRoot()
        for (s, rows) in sequences.enumerated() where !rows.isEmpty {
            let sequenceQKV = qkv.rows(rows)
            let mask = keyMask.map { $0 + rows.lowerBound }
            for head in heads {
                let first = 3 * d * head
                let scores = probabilities.block(part: part, sequence: s, head: head, length: rows.count)
                BLAS.gemm(
                    sequenceQKV.columns(first..<first + d), sequenceQKV.columns(first + d..<first + 2 * d),
                    transposeB: true, into: scores, alpha: scale)
                Softmax.forward(scores, keyMask: mask)
                let context = buffers.context.rows(rows).columns(head * d..<(head + 1) * d)
                let values = sequenceQKV.columns(first + 2 * d..<first + 3 * d)
                if let dropout {
                    // The saved probabilities stay undropped (the softmax backward needs them).
                    let dropped = FloatBuffer(capacity: rows.count * rows.count)
                    let view = dropped.view(rows: rows.count, columns: rows.count)
                    view.copy(from: scores.readOnly)
                    dropout.dropout.apply(
                        .attentionProbabilities(layer: dropout.layer, sequence: dropout.firstSequence + s, head: head), to: view)
                    BLAS.gemm(view.readOnly, values, into: context)
                } else {
                    BLAS.gemm(scores.readOnly, values, into: context)
                }
            }
        }
    }

    /// Attention output projection, this part's output columns.
    func attentionProjection(part: Int, of parts: Int) {
        let h = configuration.hiddenSize
        let columns = Parallel.share(of: h, part: part, of: parts, multiple: 16)
        guard !columns.isEmpty else { return }
        BLAS.gemm(
            buffers.context.readOnly, weights.transposedWeight(layer.attentionOutputWeight, inputs: h, outputs: h, columns: columns),
            into: buffers.attentionSum.columns(columns))
    }

    /// `attentionNormed = LN(projection + bias + input)`, this part's rows.
    func attentionNorm(part: Int, of parts: Int) {
        let rows = Parallel.share(of: buffers.input.rows, part: part, of: parts)
        guard !rows.isEmpty else { return }
        let bias = maskedOrBias(buffers.attentionSum.rows(rows), bias: layer.attentionOutputBias, site: Dropout.Site.attentionOutput, rows: rows)
        LayerNorm.residualForward(
            projection: buffers.attentionSum.rows(rows), bias: bias,
            residual: buffers.input.rows(rows), gamma: weights.pointer(layer.attentionGamma),
            beta: weights.pointer(layer.attentionBeta), epsilon: configuration.layerNormEpsilon,
            into: buffers.attentionNormed.rows(rows),
            mean: buffers.attentionStatistics.map { $0.mean + rows.lowerBound },
            inverseStandardDeviation: buffers.attentionStatistics.map { $0.inverseStd + rows.lowerBound })
    }

    /// FFN up-projection plus bias and GELU, this part's intermediate columns.
    func feedForwardUp(part: Int, of parts: Int) {
        let (h, i) = (configuration.hiddenSize, configuration.intermediateSize)
        let columns = Parallel.share(of: i, part: part, of: parts, multiple: 16)
        guard !columns.isEmpty else { return }
        let pre = buffers.intermediatePre.columns(columns)
        BLAS.gemm(
            buffers.attentionNormed.readOnly, weights.transposedWeight(layer.intermediateWeight, inputs: h, outputs: i, columns: columns),
            into: pre)
        GELU.forward(
            pre.readOnly, bias: weights.pointer(layer.intermediateBias + columns.lowerBound),
            into: buffers.intermediate.columns(columns), preActivation: buffers.keepsPreActivation ? pre : nil)
    }

    /// FFN down-projection, this part's output columns.
    func feedForwardDown(part: Int, of parts: Int) {
        let (h, i) = (configuration.hiddenSize, configuration.intermediateSize)
        let columns = Parallel.share(of: h, part: part, of: parts, multiple: 16)
        guard !columns.isEmpty else { return }
        BLAS.gemm(
            buffers.intermediate.readOnly, weights.transposedWeight(layer.outputWeight, inputs: i, outputs: h, columns: columns),
            into: buffers.outputSum.columns(columns))
    }

    /// `output = LN(down + bias + attentionNormed)`, this part's rows.
    func outputNorm(part: Int, of parts: Int) {
        let rows = Parallel.share(of: buffers.input.rows, part: part, of: parts)
        guard !rows.isEmpty else { return }
        let bias = maskedOrBias(buffers.outputSum.rows(rows), bias: layer.outputBias, site: Dropout.Site.feedForwardOutput, rows: rows)
        LayerNorm.residualForward(
            projection: buffers.outputSum.rows(rows), bias: bias,
            residual: buffers.attentionNormed.readOnly.rows(rows), gamma: weights.pointer(layer.outputGamma),
            beta: weights.pointer(layer.outputBeta), epsilon: configuration.layerNormEpsilon,
            into: buffers.output.rows(rows),
            mean: buffers.outputStatistics.map { $0.mean + rows.lowerBound },
            inverseStandardDeviation: buffers.outputStatistics.map { $0.inverseStd + rows.lowerBound })
    }

    /// The bias the residual LayerNorm must add: the layer's, or, under training dropout, none, after
    /// `projection = mask ⊙ (projection + bias)` in place.
    private func maskedOrBias(
        _ projection: MutableMatrixView, bias: Int, site: (_ layer: Int) -> Dropout.Site, rows: Range<Int>
    ) -> UnsafePointer<Float>? {
        guard let dropout else { return weights.pointer(bias) }
        Elementwise.addBias(weights.pointer(bias), to: projection)
        dropout.dropout.apply(site(dropout.layer), to: projection, firstRow: dropout.firstRow + rows.lowerBound)
        return nil
    }
}
