import Foundation
import Testing
import WardenModel
import WardenTensor
import WardenTesting

@Suite("Encoder on a tiny seeded model")
struct TinyEncoderTests {
    let encoder = TinyEncoder.make()

    @Test("matches a naive double-precision reference, including a masked token")
    func matchesReference() throws {
        let reference = ReferenceEncoder(configuration: TinyEncoder.configuration, weights: encoder.weights)
        let ids = TinyEncoder.sequences(lengths: [9, 1, 17])
        let types = ids.map { s in s.indices.map { $0 >= s.count / 2 ? 1 : 0 } }
        var batch = PackedBatch()
        for (s, sequence) in ids.enumerated() {
            let mask = sequence.indices.map { !(s == 2 && $0 == 5) }  // one masked key in the middle of sequence 2
            batch.append(tokenIDs: sequence, tokenTypeIDs: types[s], attentionMask: mask)
        }
        let output = try encoder.encode(batch)
        for s in ids.indices {
            let mask = batch.attentionMask.map { Array($0[batch.range(ofSequence: s)]) } ?? []
            let expected = reference.forward(ids: ids[s], types: types[s], mask: mask)
            let actual = output.lastHiddenState(ofSequence: s)
            expectClose(actual.storage, expected.flatMap { $0.map(Float.init) }, atol: 2e-5, "sequence \(s)")
        }
    }

    @Test(
        "a packed batch gives each sequence the same result as encoding it alone",
        arguments: [
            EncoderOptions(workers: 1), EncoderOptions(workers: 1, maxChunkTokens: 10),
            EncoderOptions(workers: 2, parallelism: .splitSequences), EncoderOptions(workers: 2, parallelism: .splitColumns),
            EncoderOptions(workers: 3, maxChunkTokens: 12),
        ])
    func packedEqualsAlone(options: EncoderOptions) throws {
        let sequences = TinyEncoder.sequences(lengths: [5, 12, 1, 30, 7, 16])
        let packed = try encoder.encode(PackedBatch(sequences: sequences), options: options)
        for (s, sequence) in sequences.enumerated() {
            let alone = try encoder.encode(PackedBatch(sequences: [sequence]))
            expectClose(packed.lastHiddenState(ofSequence: s).storage, alone.lastHiddenState.storage, atol: 1e-5, "hidden \(s)")
            expectClose(packed.sentenceEmbeddings.row(s), alone.sentenceEmbeddings.row(0), atol: 1e-6, "embedding \(s)")
        }
    }

    @Test("padding under the mask changes neither real tokens nor the pooled embedding")
    func paddingInvariance() throws {
        let real = TinyEncoder.sequences(lengths: [11])[0]
        let plain = try encoder.encode(PackedBatch(sequences: [real]))
        let padded = real + [0, 0, 0, 0, 0, 0]
        let mask = real.map { _ in 1 } + [0, 0, 0, 0, 0, 0]
        for trim in [false, true] {
            let batch = PackedBatch(paddedInputIDs: [padded], attentionMask: [mask], trimTrailingPadding: trim)
            let output = try encoder.encode(batch)
            #expect(output.lastHiddenState.rows == (trim ? 11 : 17))
            expectClose(Array(output.lastHiddenState.storage.prefix(11 * 32)), plain.lastHiddenState.storage, atol: 1e-5, "real tokens (trim \(trim))")
            expectClose(output.meanPooled.row(0), plain.meanPooled.row(0), atol: 1e-6, "mean pooled (trim \(trim))")
            expectClose(output.sentenceEmbeddings.row(0), plain.sentenceEmbeddings.row(0), atol: 1e-6, "embedding (trim \(trim))")
        }
        // Different padding content must not matter either.
        let otherPadding = PackedBatch(paddedInputIDs: [real + [7, 8, 9, 10, 11, 12]], attentionMask: [mask], trimTrailingPadding: false)
        let other = try encoder.encode(otherPadding)
        expectClose(Array(other.lastHiddenState.storage.prefix(11 * 32)), plain.lastHiddenState.storage, atol: 1e-5, "other padding ids")
    }

    @Test("hidden states: index 0 is the embedding output and the last equals the final output")
    func hiddenStates() throws {
        let batch = PackedBatch(sequences: TinyEncoder.sequences(lengths: [4, 6]))
        let output = try encoder.encode(batch, options: EncoderOptions(includeHiddenStates: true))
        #expect(output.hiddenStates.count == 3)
        #expect(output.hiddenStates.last == output.lastHiddenState)
        #expect(output.hiddenStates[0] != output.hiddenStates[1])
        // The embedding output is LayerNormed: each row has mean ≈ β̄ and is not the raw embedding sum.
        let pooledFirstLayer = Pooling.meanPool(output.hiddenStates[1], batch: batch)
        #expect(pooledFirstLayer.rows == 2 && pooledFirstLayer.columns == 32)
    }

    @Test("training mode returns the same output and keeps consistent activations")
    func trainingMode() throws {
        let batch = PackedBatch(sequences: TinyEncoder.sequences(lengths: [6, 3, 9]))
        let inference = try encoder.encode(batch)
        let (output, activations) = try encoder.encodeForTraining(batch, options: EncoderOptions(workers: 2))
        // Two workers sum in another order than one; float32 rounding of that order reaches ~1e-6 on this model.
        expectClose(output.lastHiddenState.storage, inference.lastHiddenState.storage, atol: 1e-5, "training output")
        #expect(activations.hiddenStates.count == 3 && activations.layers.count == 2)
        let last = activations.view(activations.hiddenStates[2], columns: 32).readOnly.toMatrix()
        #expect(last == output.lastHiddenState)
        // Saved softmax rows sum to 1 for every (sequence, head).
        for s in 0..<batch.count {
            let n = batch.range(ofSequence: s).count
            for head in 0..<4 {
                let block = activations.layers[1].probabilities.view(rows: n, columns: n, offset: activations.probabilityOffset(sequence: s, head: head))
                for r in 0..<n {
                    let total = (0..<n).reduce(Float(0)) { $0 + block[r, $1] }
                    #expect(abs(total - 1) < 1e-5)
                }
            }
        }
        // LayerNorm statistics reproduce the saved normalised output.
        let layer = activations.layers[0]
        let sum = activations.view(layer.attentionSum, columns: 32)
        let normed = activations.view(layer.attentionNormed, columns: 32)
        let gamma = encoder.weights.layers[0].attentionNorm.gamma
        let beta = encoder.weights.layers[0].attentionNorm.beta
        let t = 4
        let expected = (sum[t, 3] - layer.attentionMean.base[t]) * layer.attentionInverseStd.base[t] * gamma[3] + beta[3]
        #expect(abs(normed[t, 3] - expected) < 1e-5)
    }

    @Test("weights survive the packed layout: unpacking gives back what went in")
    func weightsRoundTrip() {
        let weights = EncoderWeights.random(configuration: TinyEncoder.configuration, seed: 7)
        let encoder = Encoder(configuration: TinyEncoder.configuration, weights: weights)
        #expect(encoder.weights == weights)
    }

    @Test("bad input is rejected with a message, not a crash")
    func invalidInput() {
        #expect(throws: EncoderError.self) { try encoder.encode(PackedBatch(sequences: [[1, 50]])) }
        #expect(throws: EncoderError.self) { try encoder.encode(PackedBatch(sequences: [[1, 2]], tokenTypeIDs: [[0, 2]])) }
        #expect(throws: EncoderError.self) { try encoder.encode(PackedBatch(sequences: [Array(repeating: 3, count: 41)])) }
        do {
            _ = try encoder.encode(PackedBatch(sequences: [[1, -4]]))
        } catch {
            #expect("\(error)".contains("-4") && "\(error)".contains("vocabulary"))
        }
    }

    @Test("an empty batch and an empty sequence are harmless")
    func emptyInput() throws {
        let none = try encoder.encode(PackedBatch())
        #expect(none.lastHiddenState.rows == 0 && none.sentenceEmbeddings.rows == 0)
        let withEmpty = try encoder.encode(PackedBatch(sequences: [[1, 2, 3], []]))
        #expect(withEmpty.sentenceEmbeddings.row(1) == [Float](repeating: 0, count: 32))
    }
}
