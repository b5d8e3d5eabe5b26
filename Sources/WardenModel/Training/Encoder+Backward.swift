import WardenTensor

extension Encoder {
    /// Backward pass of ``encodeForTraining(_:options:)`` followed by mean pooling of some layers.
    ///
    /// - Parameters:
    ///   - activations: what the training forward pass over the same batch kept (with these same weights).
    ///   - pooledGradients: for each pooled layer (0 = embedding output, `layerCount` = last), dLoss/dPooled as a
    ///     `[sequences, hidden]` matrix; pooling is the masked mean of ``Pooling/meanPool(_:batch:)``.
    ///   - gradients: receives the parameter gradients (accumulated: call ``EncoderGradients/zero()`` per step).
    ///
    /// Runs on the calling thread (single-threaded BLAS); the trainer gets its parallelism by giving each worker
    /// half of the batch.
    public func backward(_ activations: EncoderActivations, pooledGradients: [Int: Matrix], gradients: EncoderGradients) {
        let c = configuration
        let batch = activations.batch
        let t = batch.tokenCount
        let h = c.hiddenSize
        guard t > 0 else { return }
        let scratch = BackwardScratch(tokens: t, configuration: c, longest: batch.longestSequence)
        let dHidden = scratch.hidden.view(rows: t, columns: h)
        dHidden.fill(0)
        addPoolingGradient(pooledGradients[c.layerCount], batch: batch, into: dHidden)

        for l in stride(from: c.layerCount - 1, through: 0, by: -1) {
            LayerBackward(
                weights: packed, layer: packed.layers[l], index: l, saved: activations.layers[l],
                input: activations.view(activations.hiddenStates[l], columns: h).readOnly,
                activations: activations, scratch: scratch, gradients: gradients
            ).run(outputGradient: dHidden)
            addPoolingGradient(pooledGradients[l], batch: batch, into: dHidden)
        }
        activations.dropout?.apply(.embedding, to: dHidden)
        embeddingBackward(activations, outputGradient: dHidden.readOnly, scratch: scratch, gradients: gradients)
    }

    /// `dH[t] += dPooled[s] / count(s)` for every unmasked token `t` of sequence `s`.
    private func addPoolingGradient(_ pooled: Matrix?, batch: PackedBatch, into dHidden: MutableMatrixView) {
        guard let pooled else { return }
        precondition(pooled.rows == batch.count && pooled.columns == dHidden.columns, "pooled gradient shape")
        let mask = batch.attentionMask
        pooled.withView { g in
            for s in 0..<batch.count {
                let range = batch.range(ofSequence: s)
                let count = range.filter { mask?[$0] ?? true }.count
                let scale = 1 / max(Float(count), 1e-9)
                let source = g.row(s)
                for token in range where mask?[token] ?? true {
                    let row = dHidden.row(token)
                    for j in 0..<dHidden.columns { row[j] += source[j] * scale }
                }
            }
        }
    }

    private func embeddingBackward(
        _ activations: EncoderActivations, outputGradient: MatrixView, scratch: BackwardScratch, gradients: EncoderGradients
    ) {
        let c = configuration
        let batch = activations.batch
        let t = batch.tokenCount
        let h = c.hiddenSize
        let layout = gradients.layout
        let gammaOffset = layout.tensors.first { $0.name == "embeddings.LayerNorm.weight" }!.offset
        let betaOffset = layout.tensors.first { $0.name == "embeddings.LayerNorm.bias" }!.offset
        let dSum = scratch.normed.view(rows: t, columns: h)
        LayerNorm.backward(
            input: activations.view(activations.embeddingSum, columns: h).readOnly,
            mean: activations.embeddingMean.base, inverseStandardDeviation: activations.embeddingInverseStd.base,
            gamma: packed.embeddingGamma, outputGradient: outputGradient, into: dSum,
            gammaGradient: gradients.pointer(gammaOffset, .layerNorm), betaGradient: gradients.pointer(betaOffset, .layerNorm))
        let words = gradients.pointer(packed.wordEmbeddings.base - packed.pointer(0), .wordEmbeddings)
        let positions = gradients.pointer(packed.positionEmbeddings.base - packed.pointer(0), .positionEmbeddings)
        let types = gradients.pointer(packed.tokenTypeEmbeddings.base - packed.pointer(0), .tokenTypeEmbeddings)
        guard words != nil || positions != nil || types != nil else { return }
        for s in 0..<batch.count {
            for (position, token) in batch.range(ofSequence: s).enumerated() {
                let g = dSum.row(token)
                for (table, row) in [(words, batch.tokenIDs[token]), (positions, position + c.positionOffset), (types, batch.tokenTypeIDs[token])] {
                    guard let table else { continue }
                    let target = table + row * h
                    for j in 0..<h { target[j] += g[j] }
                }
            }
        }
    }
}

/// Per-call scratch of the backward pass (one per worker).
final class BackwardScratch {
    let hidden: FloatBuffer  // [T, H] gradient w.r.t. the current layer's output, then its input
    let normed: FloatBuffer  // [T, H] gradient w.r.t. attentionNormed (and the embedding sum at the end)
    let sum: FloatBuffer  // [T, H] gradient w.r.t. a pre-norm sum
    let context: FloatBuffer  // [T, H]
    let qkv: FloatBuffer  // [T, 3H]
    let intermediate: FloatBuffer  // [T, I] GELU output (recomputed)
    let intermediateGradient: FloatBuffer  // [T, I]
    let probabilities: FloatBuffer  // [S, S] gradient of one (sequence, head) block
    let droppedProbabilities: FloatBuffer  // [S, S] the block after dropout (recomputed)

    init(tokens t: Int, configuration c: EncoderConfiguration, longest: Int) {
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        hidden = FloatBuffer(capacity: t * h)
        normed = FloatBuffer(capacity: t * h)
        sum = FloatBuffer(capacity: t * h)
        context = FloatBuffer(capacity: t * h)
        qkv = FloatBuffer(capacity: t * 3 * h)
        intermediate = FloatBuffer(capacity: t * i)
        intermediateGradient = FloatBuffer(capacity: t * i)
        probabilities = FloatBuffer(capacity: longest * longest)
        droppedProbabilities = FloatBuffer(capacity: longest * longest)
    }
}

/// The backward pass of one encoder layer over a whole batch, mirroring ``EncoderLayerPass``.
struct LayerBackward {
    let weights: PackedEncoderWeights
    let layer: PackedEncoderWeights.Layer
    let index: Int
    let saved: EncoderActivations.Layer
    /// The layer's input (`hiddenStates[index]`).
    let input: MatrixView
    let activations: EncoderActivations
    let scratch: BackwardScratch
    let gradients: EncoderGradients

    private var configuration: EncoderConfiguration { weights.configuration }

    /// Turns `dOutput` (gradient w.r.t. the layer output) into the gradient w.r.t. the layer input, in place.
    func run(outputGradient dOutput: MutableMatrixView) {
        let c = configuration
        let (h, i, t) = (c.hiddenSize, c.intermediateSize, input.rows)
        func view(_ buffer: FloatBuffer, _ columns: Int) -> MutableMatrixView { buffer.view(rows: t, columns: columns) }
        let dSum = view(scratch.sum, h)
        let dNormed = view(scratch.normed, h)
        let attentionNormed = view(saved.attentionNormed, h).readOnly

        // Output LayerNorm: output = LN(down + bias + attentionNormed).
        LayerNorm.backward(
            input: view(saved.outputSum, h).readOnly, mean: saved.outputMean.base, inverseStandardDeviation: saved.outputInverseStd.base,
            gamma: weights.pointer(layer.outputGamma), outputGradient: dOutput.readOnly, into: dSum,
            gammaGradient: gradients.pointer(layer.outputGamma, .layerNorm), betaGradient: gradients.pointer(layer.outputBeta, .layerNorm))
        dNormed.copy(from: dSum.readOnly)  // residual branch
        activations.dropout?.apply(.feedForwardOutput(layer: index), to: dSum)

        // FFN down: sum = gelu(pre) · Woutᵀ + b.
        let pre = view(saved.intermediatePre, i).readOnly
        let activated = view(scratch.intermediate, i)
        GELU.forward(pre, into: activated)
        let dActivated = view(scratch.intermediateGradient, i)
        linearBackward(
            .output, input: activated.readOnly, weight: layer.outputWeight, bias: layer.outputBias, out: h, in: i,
            outputGradient: dSum.readOnly, inputGradient: dActivated, accumulate: false)
        GELU.backward(preActivation: pre, outputGradient: dActivated.readOnly, into: dActivated)

        // FFN up: pre = attentionNormed · Wupᵀ + b.
        linearBackward(
            .intermediate, input: attentionNormed, weight: layer.intermediateWeight, bias: layer.intermediateBias, out: i, in: h,
            outputGradient: dActivated.readOnly, inputGradient: dNormed, accumulate: true)

        // Attention LayerNorm: attentionNormed = LN(context · Woᵀ + b + input).
        LayerNorm.backward(
            input: view(saved.attentionSum, h).readOnly, mean: saved.attentionMean.base,
            inverseStandardDeviation: saved.attentionInverseStd.base, gamma: weights.pointer(layer.attentionGamma),
            outputGradient: dNormed.readOnly, into: dSum,
            gammaGradient: gradients.pointer(layer.attentionGamma, .layerNorm), betaGradient: gradients.pointer(layer.attentionBeta, .layerNorm))
        dOutput.copy(from: dSum.readOnly)  // residual branch: gradient w.r.t. the layer input so far
        activations.dropout?.apply(.attentionOutput(layer: index), to: dSum)

        let dContext = view(scratch.context, h)
        linearBackward(
            .attentionOutput, input: view(saved.context, h).readOnly, weight: layer.attentionOutputWeight,
            bias: layer.attentionOutputBias, out: h, in: h, outputGradient: dSum.readOnly, inputGradient: dContext, accumulate: false)

        let dQKV = view(scratch.qkv, 3 * h)
        attentionBackward(contextGradient: dContext.readOnly, into: dQKV)
        linearBackward(
            .qkv, input: input, weight: layer.qkvWeight, bias: layer.qkvBias, out: 3 * h, in: h,
            outputGradient: dQKV.readOnly, inputGradient: dOutput, accumulate: true)
    }

    /// `y = x · Wᵀ + b`: `dx (+)= dy · W`, and the weight and bias gradients.
    private func linearBackward(
        _ linear: EncoderLinear, input x: MatrixView, weight: Int, bias: Int, out: Int, in inSize: Int,
        outputGradient dy: MatrixView, inputGradient dx: MutableMatrixView, accumulate: Bool
    ) {
        let dW = gradients.pointer(weight, .linearWeight)
        if PackedEncoderWeights.linearWeightsTransposed {
            // Stored Wᵀ, [in, out]: dx = dy · (Wᵀ)ᵀ, d(Wᵀ) = xᵀ · dy.
            BLAS.gemm(dy, weights.view(weight, rows: inSize, columns: out), transposeB: true, into: dx, beta: accumulate ? 1 : 0)
            if let dW { BLAS.gemm(x, transposeA: true, dy, into: MutableMatrixView(base: dW, rows: inSize, columns: out, stride: out), beta: 1) }
        } else {
            // Stored W, [out, in]: dx = dy · W, dW = dyᵀ · x.
            BLAS.gemm(dy, weights.view(weight, rows: out, columns: inSize), into: dx, beta: accumulate ? 1 : 0)
            if let dW { BLAS.gemm(dy, transposeA: true, x, into: MutableMatrixView(base: dW, rows: out, columns: inSize, stride: inSize), beta: 1) }
        }
        if let dB = gradients.pointer(bias, .bias) {
            Elementwise.accumulateColumnSums(of: dy, into: dB)
        }
        gradients.linearHook?(index, linear, x, dy)
    }

    /// Scaled dot-product attention per sequence and head: from `dContext` to `dQKV` (head-interleaved).
    private func attentionBackward(contextGradient dContext: MatrixView, into dQKV: MutableMatrixView) {
        let c = configuration
        let d = c.headSize
        let batch = activations.batch
        let qkv = activations.view(saved.qkv, columns: 3 * c.hiddenSize).readOnly
        let scale = 1 / Float(d).squareRoot()
        for s in 0..<batch.count {
            let rows = batch.range(ofSequence: s)
            let n = rows.count
            guard n > 0 else { continue }
            let sequenceQKV = qkv.rows(rows)
            let sequenceGradient = dQKV.rows(rows)
            let dP = scratch.probabilities.view(rows: n, columns: n)
            for head in 0..<c.attentionHeadCount {
                let first = 3 * d * head
                let q = sequenceQKV.columns(first..<first + d)
                let k = sequenceQKV.columns(first + d..<first + 2 * d)
                let v = sequenceQKV.columns(first + 2 * d..<first + 3 * d)
                let p = saved.probabilities.view(rows: n, columns: n, offset: activations.probabilityOffset(sequence: s, head: head)).readOnly
                let dCtx = dContext.rows(rows).columns(head * d..<(head + 1) * d)
                // context = dropout(P) · V
                BLAS.gemm(dCtx, v, transposeB: true, into: dP)
                if let dropout = activations.dropout {
                    let site = Dropout.Site.attentionProbabilities(layer: index, sequence: s, head: head)
                    let dropped = scratch.droppedProbabilities.view(rows: n, columns: n)
                    dropped.copy(from: p)
                    dropout.apply(site, to: dropped)
                    BLAS.gemm(dropped.readOnly, transposeA: true, dCtx, into: sequenceGradient.columns(first + 2 * d..<first + 3 * d))
                    dropout.apply(site, to: dP)
                } else {
                    BLAS.gemm(p, transposeA: true, dCtx, into: sequenceGradient.columns(first + 2 * d..<first + 3 * d))
                }
                // P = softmax(scale · Q · Kᵀ) (masked keys have P = 0, so their score gradient is 0)
                Softmax.backward(output: p, outputGradient: dP.readOnly, into: dP)
                BLAS.gemm(dP.readOnly, k, into: sequenceGradient.columns(first..<first + d), alpha: scale)
                BLAS.gemm(dP.readOnly, transposeA: true, q, into: sequenceGradient.columns(first + d..<first + 2 * d), alpha: scale)
            }
        }
    }
}
