import WardenTensor

/// What one forward pass produces, in packed-batch order.
public struct EncoderOutput: Sendable {
    /// Start of each sequence's rows, plus the total (copied from the input batch).
    public let sequenceOffsets: [Int]
    /// `[tokens, hidden]`: the last layer's output for every token (padding rows included when present).
    public let lastHiddenState: Matrix
    /// `[sequences, hidden]`: mean of the last hidden state over each sequence's unmasked tokens.
    public let meanPooled: Matrix
    /// `[sequences, hidden]`: ``meanPooled`` scaled to unit length (the sentence-transformers embedding).
    public let sentenceEmbeddings: Matrix
    /// Empty unless requested: `layerCount + 1` matrices `[tokens, hidden]`; index 0 is the embedding output
    /// (after its LayerNorm), index `k` the output of layer `k` (so the last equals ``lastHiddenState``).
    public let hiddenStates: [Matrix]

    /// The last hidden state rows of sequence `index`.
    public func lastHiddenState(ofSequence index: Int) -> Matrix {
        lastHiddenState.rows(sequenceOffsets[index]..<sequenceOffsets[index + 1])
    }
}

/// Mean pooling and normalisation, exposed so callers can pool any layer (e.g. an average of the last layers).
public enum Pooling {
    /// `Σ_t mask_t·h_t / max(Σ_t mask_t, 1e-9)` per sequence, as sentence-transformers' mean pooling.
    ///
    /// - Parameters:
    ///   - hidden: `[tokens, hidden]` in the batch's packed order (e.g. one of ``EncoderOutput/hiddenStates``).
    ///   - batch: supplies sequence boundaries and the attention mask.
    public static func meanPool(_ hidden: Matrix, batch: PackedBatch) -> Matrix {
        precondition(hidden.rows == batch.tokenCount, "meanPool: \(hidden.rows) rows for \(batch.tokenCount) tokens")
        var pooled = Matrix(rows: batch.count, columns: hidden.columns)
        hidden.withView { h in
            pooled.withMutableView { out in
                meanPool(h, offsets: batch.sequenceOffsets, mask: batch.attentionMask, into: out)
            }
        }
        return pooled
    }

    /// The classifier's features: for each chosen layer, the mean over each sequence's tokens, side by side
    /// (`[sequences, hidden · layers.count]`). Serving, training and the head's standardisation all pool here.
    ///
    /// - Parameter layers: 1-based (0 = embedding output, `layerCount` = last layer). Layers other than the last
    ///   need ``EncoderOutput/hiddenStates``.
    public static func layerMeans(_ output: EncoderOutput, layers: [Int], layerCount: Int, batch: PackedBatch) -> Matrix {
        let width = output.meanPooled.columns
        var features = Matrix(rows: batch.count, columns: width * layers.count)
        for (slot, layer) in layers.enumerated() {
            precondition(layer == layerCount || output.hiddenStates.count == layerCount + 1, "layer \(layer) needs hidden states")
            let pooled = layer == layerCount ? output.meanPooled : meanPool(output.hiddenStates[layer], batch: batch)
            features.withMutableView { out in pooled.withView { out.columns(slot * width..<(slot + 1) * width).copy(from: $0) } }
        }
        return features
    }

    /// Rows scaled to unit L2 norm (`x / max(‖x‖, 1e-12)`).
    public static func normalized(_ rows: Matrix) -> Matrix {
        var out = rows
        out.withMutableView { Elementwise.l2Normalize($0.readOnly, into: $0) }
        return out
    }

    static func meanPool(_ hidden: MatrixView, offsets: [Int], mask: [Bool]?, into out: MutableMatrixView) {
        let width = hidden.columns
        for s in 0..<(offsets.count - 1) {
            let target = out.row(s)
            target.update(repeating: 0, count: width)
            var count = 0
            for t in offsets[s]..<offsets[s + 1] where mask?[t] ?? true {
                let row = hidden.row(t)
                for j in 0..<width { target[j] += row[j] }
                count += 1
            }
            let scale = 1 / max(Float(count), 1e-9)
            for j in 0..<width { target[j] *= scale }
        }
    }
}
