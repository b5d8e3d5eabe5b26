import WardenTensor

/// One forward call's inputs and outputs, shared read-only by the workers; each chunk writes only its own rows.
struct ForwardPass: @unchecked Sendable {
    let weights: PackedEncoderWeights
    let batch: PackedBatch
    let tokenIDs: UnsafePointer<Int>
    let tokenTypeIDs: UnsafePointer<Int>
    let positions: UnsafePointer<Int>
    let keyMask: UnsafePointer<Bool>?
    /// `[T, H]`: the running hidden state in inference, the final copy in training.
    let last: MutableMatrixView
    /// Per-layer copies of the hidden state (inference with `includeHiddenStates`).
    let copies: [FloatBuffer]
    let activations: EncoderActivations?

    private var configuration: EncoderConfiguration { weights.configuration }

    func run(_ chunk: Encoder.Chunk, scratch: EncoderWorkspace.WorkerScratch, forkJoin: ForkJoin) {
        let parts = forkJoin.parts
        let c = configuration
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        let rows = chunk.tokens
        let count = rows.count
        let sequences = chunk.sequences.map { s -> Range<Int> in
            let r = batch.range(ofSequence: s)
            return (r.lowerBound - rows.lowerBound)..<(r.upperBound - rows.lowerBound)
        }
        let longest = sequences.map(\.count).max() ?? 0
        let localMask = keyMask.map { $0 + rows.lowerBound }
        func tokenRows(_ buffer: FloatBuffer, _ columns: Int) -> MutableMatrixView {
            buffer.view(rows: count, columns: columns, offset: rows.lowerBound * columns)
        }
        func statistics(_ mean: FloatBuffer, _ inverseStd: FloatBuffer) -> RowStatistics {
            RowStatistics(mean: mean.base + rows.lowerBound, inverseStd: inverseStd.base + rows.lowerBound)
        }

        // Embeddings.
        let hidden = last.rows(rows)
        let embedded = activations.map { tokenRows($0.hiddenStates[0], h) } ?? hidden
        embed(rows: rows, sum: activations.map { tokenRows($0.embeddingSum, h) } ?? embedded, output: embedded,
              statistics: activations.map { statistics($0.embeddingMean, $0.embeddingInverseStd) }, forkJoin: forkJoin)
        let dropout = activations?.dropout
        dropout?.apply(.embedding, to: embedded, firstRow: rows.lowerBound)
        if !copies.isEmpty { tokenRows(copies[0], h).copy(from: embedded.readOnly) }

        // Layers.
        let qkv = scratch.qkv.view(rows: count, columns: 3 * h)
        let context = scratch.context.view(rows: count, columns: h)
        let projection = scratch.projection.view(rows: count, columns: h)
        let intermediate = scratch.intermediate.view(rows: count, columns: i)
        let scores = activations == nil ? scratch.scores(count: parts).map { $0.view(rows: longest, columns: longest).base } : []
        for (index, layer) in weights.layers.enumerated() {
            let buffers: LayerBuffers
            let probabilities: ProbabilityStorage
            if let activations {
                let saved = activations.layers[index]
                let normed = tokenRows(saved.attentionNormed, h)
                buffers = LayerBuffers(
                    input: tokenRows(activations.hiddenStates[index], h).readOnly, qkv: tokenRows(saved.qkv, 3 * h),
                    context: tokenRows(saved.context, h), attentionSum: tokenRows(saved.attentionSum, h),
                    attentionNormed: normed, intermediatePre: tokenRows(saved.intermediatePre, i), intermediate: intermediate,
                    outputSum: tokenRows(saved.outputSum, h), output: tokenRows(activations.hiddenStates[index + 1], h),
                    attentionStatistics: statistics(saved.attentionMean, saved.attentionInverseStd),
                    outputStatistics: statistics(saved.outputMean, saved.outputInverseStd), keepsPreActivation: true)
                probabilities = ProbabilityStorage(
                    scratch: [], saved: saved.probabilities.base,
                    savedOffsets: chunk.sequences.map { activations.probabilityOffsets[$0] })
            } else {
                buffers = LayerBuffers(
                    input: hidden.readOnly, qkv: qkv, context: context, attentionSum: projection, attentionNormed: hidden,
                    intermediatePre: intermediate, intermediate: intermediate, outputSum: projection, output: hidden,
                    attentionStatistics: nil, outputStatistics: nil, keepsPreActivation: false)
                probabilities = ProbabilityStorage(scratch: scores, saved: nil, savedOffsets: [])
            }
            EncoderLayerPass(
                weights: weights, layer: layer, buffers: buffers, sequences: sequences, keyMask: localMask,
                probabilities: probabilities,
                dropout: dropout.map { LayerDropout(dropout: $0, layer: index, firstRow: rows.lowerBound, firstSequence: chunk.sequences.lowerBound) }
            ).run(forkJoin)
            if !copies.isEmpty { tokenRows(copies[index + 1], h).copy(from: hidden.readOnly) }
        }
        if let activations {
            hidden.copy(from: tokenRows(activations.hiddenStates[c.layerCount], h).readOnly)
        }
    }

    /// `output = LN(word[id] + position[p] + type[t])` for the chunk's tokens; `sum` keeps the pre-norm sum
    /// (it may be the same block as `output`).
    private func embed(rows: Range<Int>, sum: MutableMatrixView, output: MutableMatrixView, statistics: RowStatistics?, forkJoin: ForkJoin) {
        let pass = self
        let parts = forkJoin.parts
        forkJoin.run { part in
            pass.embed(rows: rows, share: Parallel.share(of: rows.count, part: part, of: parts), sum: sum, output: output, statistics: statistics)
        }
    }

    private func embed(rows: Range<Int>, share: Range<Int>, sum: MutableMatrixView, output: MutableMatrixView, statistics: RowStatistics?) {
        guard !share.isEmpty else { return }
        let words = weights.wordEmbeddings
        let positionTable = weights.positionEmbeddings
        let types = weights.tokenTypeEmbeddings
        let width = configuration.hiddenSize
        for local in share {
            let t = rows.lowerBound + local
            let w = words.row(tokenIDs[t])
            let p = positionTable.row(positions[t])
            let y = types.row(tokenTypeIDs[t])
            let target = sum.row(local)
            // Same association as HF: (word + token type) + position.
            for j in 0..<width { target[j] = (w[j] + y[j]) + p[j] }
        }
        LayerNorm.forward(
            sum.readOnly.rows(share), gamma: weights.embeddingGamma, beta: weights.embeddingBeta,
            epsilon: configuration.layerNormEpsilon, into: output.rows(share),
            mean: statistics.map { $0.mean + share.lowerBound }, inverseStandardDeviation: statistics.map { $0.inverseStd + share.lowerBound })
    }
}

/// Where a LayerNorm stores its per-row mean and inverse standard deviation (training only).
struct RowStatistics: @unchecked Sendable {
    let mean: UnsafeMutablePointer<Float>
    let inverseStd: UnsafeMutablePointer<Float>
}
