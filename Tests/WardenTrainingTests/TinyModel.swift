import WardenModel
import WardenTensor

/// The tiny seeded encoder of the training tests: 2 layers, 32 wide, 4 heads of 8, FFN 64, vocabulary 50.
enum TinyModel {
    static let configuration = EncoderConfiguration(
        vocabularySize: 50, hiddenSize: 32, layerCount: 2, attentionHeadCount: 4, intermediateSize: 64,
        maxPositionEmbeddings: 40)

    static func weights(seed: UInt64 = 42) -> EncoderWeights {
        EncoderWeights.random(configuration: configuration, seed: seed, scale: 0.3)
    }

    static func encoder(seed: UInt64 = 42) -> Encoder {
        Encoder(configuration: configuration, weights: weights(seed: seed))
    }

    /// Three sequences of different lengths, both token types, one masked key in the middle of the last.
    static func batch() -> PackedBatch {
        var batch = PackedBatch()
        let lengths = [7, 1, 12]
        for (s, length) in lengths.enumerated() {
            let ids = (0..<length).map { $0 == 0 ? 1 : 2 + (($0 * 7 + s * 13) % 47) }
            let types = (0..<length).map { $0 >= length / 2 ? 1 : 0 }
            let mask = (0..<length).map { !(s == 2 && $0 == 5) }
            batch.append(tokenIDs: ids, tokenTypeIDs: types, attentionMask: mask)
        }
        return batch
    }
}

/// Central finite difference of `f` in Float64, `h` either side.
func centralDifference(h: Double, _ f: (Double) -> Double) -> Double {
    (f(h) - f(-h)) / (2 * h)
}

/// Whether an analytic and a numeric derivative agree to `relative` of the larger, with an absolute floor.
func agree(_ analytic: Double, _ numeric: Double, relative: Double = 2e-2, absolute: Double = 2e-4) -> Bool {
    abs(analytic - numeric) <= absolute + relative * max(abs(analytic), abs(numeric))
}
