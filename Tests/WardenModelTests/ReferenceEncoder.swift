import Foundation
import WardenModel
import WardenTensor

/// A deliberately naive BERT forward pass in Double precision, written straight from the math (scalar loops, one
/// sequence at a time, the mask added as a large negative number as HF does). It shares no code with `Encoder`,
/// so agreement checks packing, head layout, masking and fusion rather than re-running the same kernels.
struct ReferenceEncoder {
    let configuration: EncoderConfiguration
    let weights: EncoderWeights

    /// Hidden states `[tokens][hidden]` of one sequence after the last layer.
    func forward(ids: [Int], types: [Int], mask: [Bool]) -> [[Double]] {
        let c = configuration
        let (h, d) = (c.hiddenSize, c.headSize)
        let eps = Double(c.layerNormEpsilon)
        var x = ids.indices.map { t in
            (0..<h).map { j in
                Double(weights.wordEmbeddings[ids[t], j]) + Double(weights.tokenTypeEmbeddings[types[t], j])
                    + Double(weights.positionEmbeddings[t, j])
            }
        }
        x = x.map { layerNorm($0, weights.embeddingNorm, eps) }
        for layer in weights.layers {
            let q = x.map { linear($0, layer.query) }
            let k = x.map { linear($0, layer.key) }
            let v = x.map { linear($0, layer.value) }
            var context = [[Double]](repeating: [Double](repeating: 0, count: h), count: x.count)
            for head in 0..<c.attentionHeadCount {
                let cols = head * d..<(head + 1) * d
                for i in x.indices {
                    var scores = x.indices.map { j in
                        cols.reduce(0.0) { $0 + q[i][$1] * k[j][$1] } / Double(d).squareRoot() + (mask[j] ? 0 : -1e30)
                    }
                    let top = scores.max()!
                    scores = scores.map { Foundation.exp($0 - top) }
                    let total = scores.reduce(0, +)
                    for j in x.indices {
                        for col in cols { context[i][col] += scores[j] / total * v[j][col] }
                    }
                }
            }
            let attended = x.indices.map { t in
                layerNorm(zip(linear(context[t], layer.attentionOutput), x[t]).map(+), layer.attentionNorm, eps)
            }
            x = attended.map { a in
                let up = linear(a, layer.intermediate).map { $0 * 0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
                return layerNorm(zip(linear(up, layer.output), a).map(+), layer.outputNorm, eps)
            }
        }
        return x
    }

    private func linear(_ x: [Double], _ l: LinearWeights) -> [Double] {
        (0..<l.outputSize).map { o in
            (0..<l.inputSize).reduce(Double(l.bias[o])) { $0 + Double(l.weight[o, $1]) * x[$1] }
        }
    }

    private func layerNorm(_ x: [Double], _ n: LayerNormWeights, _ eps: Double) -> [Double] {
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
        return x.indices.map { (x[$0] - mean) / (variance + eps).squareRoot() * Double(n.gamma[$0]) + Double(n.beta[$0]) }
    }
}

/// The tiny encoder of the fast tests: 2 layers, 32 wide, 4 heads of 8, FFN 64, seeded weights.
enum TinyEncoder {
    static let configuration = EncoderConfiguration(
        vocabularySize: 50, hiddenSize: 32, layerCount: 2, attentionHeadCount: 4, intermediateSize: 64,
        maxPositionEmbeddings: 40)

    static func make(seed: UInt64 = 42) -> Encoder {
        Encoder(configuration: configuration, weights: EncoderWeights.random(configuration: configuration, seed: seed, scale: 0.3))
    }

    /// Deterministic token sequences of the given lengths (id 1 … 49, first token 1 like a [CLS]).
    static func sequences(lengths: [Int], seed: Int = 0) -> [[Int]] {
        lengths.enumerated().map { index, length in
            (0..<length).map { $0 == 0 ? 1 : 2 + (($0 * 7 + index * 13 + seed * 5) % 47) }
        }
    }
}
