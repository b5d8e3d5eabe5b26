import WardenCore
import WardenTensor

/// Training-time dropout at BERT's four places: the embedding output, the attention probabilities, and the
/// outputs of the attention and FFN projections (before their residual sums).
///
/// A mask element is a pure function of (seed, site, row, column), so the backward pass recomputes the
/// masks instead of storing them, and a run resumed from a checkpoint draws exactly the same masks. Kept
/// elements are scaled by `1 / (1 - rate)` (inverted dropout), so inference needs no change.
public struct Dropout: Sendable, Equatable {
    public var rate: Float
    public var seed: UInt64

    public init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        self.rate = rate
        self.seed = seed
    }

    /// Where a mask applies; rows are token indices of the batch (or query positions for probabilities).
    enum Site {
        case embedding
        case attentionProbabilities(layer: Int, sequence: Int, head: Int)
        case attentionOutput(layer: Int)
        case feedForwardOutput(layer: Int)

        var key: UInt64 {
            switch self {
            case .embedding: 1
            case .attentionProbabilities(let layer, let sequence, let head):
                2 &+ UInt64(layer) << 8 &+ UInt64(head) << 16 &+ UInt64(sequence) << 24
            case .attentionOutput(let layer): 3 &+ UInt64(layer) << 8
            case .feedForwardOutput(let layer): 4 &+ UInt64(layer) << 8
            }
        }
    }

    /// Multiplies `values` by the mask of `site` (0 or `1 / (1 - rate)`); row `r` of the view is mask row
    /// `firstRow + r`. The same call masks an activation and its gradient.
    func apply(_ site: Site, to values: MutableMatrixView, firstRow: Int = 0) {
        guard rate > 0 else { return }
        let threshold = UInt64(Double(rate) * Double(1 << 24))
        let scale = 1 / (1 - rate)
        var siteGenerator = SplitMix64(seed: seed ^ site.key &* 0xD6E8_FEB8_6659_FD93)
        let siteSeed = siteGenerator.next()
        for r in 0..<values.rows {
            let row = values.row(r)
            let rowSeed = siteSeed ^ UInt64(firstRow + r) &* 0x9E37_79B9_7F4A_7C15
            for j in 0..<values.columns {
                var generator = SplitMix64(seed: rowSeed &+ UInt64(j) &* 0xBF58_476D_1CE4_E5B9)
                row[j] = generator.next() >> 40 < threshold ? 0 : row[j] * scale
            }
        }
    }
}
