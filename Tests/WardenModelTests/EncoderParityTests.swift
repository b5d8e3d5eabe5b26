import Foundation
import Testing
import WardenModel
import WardenTensor
import WardenTesting

/// The Swift encoder against `BertModel` golden outputs (Fixtures/GOLDEN_README.md), with the real weights.
/// Tolerances follow tolerance.json: hidden states and mean pooling atol 1e-4, unit embeddings atol 1e-5 and
/// cosine ≥ 0.99999 (a correct fp32 port lands near 3e-6 and 3e-7).
@Suite("Encoder parity with the PyTorch reference", .enabled(if: RealWeights.shouldRun, RealWeights.missingMessage))
struct EncoderParityTests {
    static let hiddenTolerance: Float = 1e-4
    static let embeddingTolerance: Float = 1e-5

    /// Compares one case's outputs; returns the largest hidden-state and embedding differences.
    @discardableResult
    static func check(_ c: EncoderCase, output: EncoderOutput, sequence s: Int, sourceLocation: SourceLocation = #_sourceLocation) -> (hidden: Float, embedding: Float) {
        let hidden = output.lastHiddenState(ofSequence: s)
        let n = hidden.rows
        var worstHidden: Float = 0
        func compare(_ actual: [Float], _ expected: [Float], _ what: String, atol: Float = hiddenTolerance) {
            expectClose(actual, expected, atol: atol, "\(c.id) \(what)", sourceLocation: sourceLocation)
            if actual.count == expected.count { worstHidden = max(worstHidden, maxAbsDifference(actual, expected)) }
        }
        compare(Array(hidden.row(0).prefix(8)), c.lastHiddenToken0First8, "last hidden token 0")
        compare(Array(hidden.row(n - 1).prefix(8)), c.lastHiddenLastTokenFirst8, "last hidden last token")
        compare(output.meanPooled.row(s), c.meanPooled, "mean pooled")
        if let full = c.lastHiddenStateFull { compare(hidden.storage, full.flatMap { $0 }, "full last hidden state") }
        if !output.hiddenStates.isEmpty {
            let start = output.sequenceOffsets[s]
            for (k, layer) in output.hiddenStates.enumerated() {
                compare(Array(layer.row(start).prefix(8)), c.hiddenStatesToken0First8[k], "hidden_states[\(k)] token 0")
                compare(Array(layer.row(start + n - 1).prefix(8)), c.hiddenStatesLastTokenFirst8[k], "hidden_states[\(k)] last token")
            }
            if let full = c.hiddenStatesFullEmbeddingsOutput {
                compare(output.hiddenStates[0].rows(start..<start + n).storage, full.flatMap { $0 }, "full embedding output")
            }
        }
        let embedding = output.sentenceEmbeddings.row(s)
        expectClose(embedding, c.sentenceEmbedding, atol: embeddingTolerance, "\(c.id) sentence embedding", sourceLocation: sourceLocation)
        let similarity = cosine(embedding, c.sentenceEmbedding)
        #expect(similarity >= 0.99999, "\(c.id) cosine \(similarity)", sourceLocation: sourceLocation)
        return (worstHidden, maxAbsDifference(embedding, c.sentenceEmbedding))
    }

    @Test("every golden case at batch 1, with intermediate layers")
    func casesAtBatchOne() throws {
        let encoder = try RealWeights.require()
        var worst: (hidden: Float, embedding: Float) = (0, 0)
        for c in try Fixtures.encoderCases() {
            #expect(c.attentionMask.allSatisfy { $0 == 1 })
            let batch = PackedBatch(sequences: [c.inputIDs], tokenTypeIDs: [c.tokenTypeIDs])
            let output = try encoder.encode(batch, options: EncoderOptions(includeHiddenStates: true))
            let diff = Self.check(c, output: output, sequence: 0)
            worst = (max(worst.hidden, diff.hidden), max(worst.embedding, diff.embedding))
        }
        print("parity batch 1: max |Δ hidden/pooled| = \(worst.hidden), max |Δ embedding| = \(worst.embedding)")
    }

    @Test(
        "golden cases packed into one batch: all of them on two sequence workers, the short ones on two column workers",
        arguments: [
            (EncoderOptions(workers: 2, parallelism: .splitSequences), Int.max),
            (EncoderOptions(workers: 2, parallelism: .splitColumns, maxChunkTokens: 64), 120),
        ])
    func casesPacked(options: EncoderOptions, maximumLength: Int) throws {
        // Debug builds run the SIMD kernels slowly; the column split is exercised on the short cases only.
        let encoder = try RealWeights.require()
        let cases = try Fixtures.encoderCases().filter { $0.inputIDs.count <= maximumLength }
        let batch = PackedBatch(sequences: cases.map(\.inputIDs), tokenTypeIDs: cases.map(\.tokenTypeIDs))
        let output = try encoder.encode(batch, options: options)
        for (s, c) in cases.enumerated() { Self.check(c, output: output, sequence: s) }
    }

    @Test("the padded batch case as one packed batch (padding trimmed, and padding kept under the mask)")
    func paddedBatch() throws {
        let encoder = try RealWeights.require()
        let golden = try Fixtures.batchCase()
        var worst: (hidden: Float, embedding: Float) = (0, 0)
        for trim in [true, false] {
            let batch = PackedBatch(
                paddedInputIDs: golden.inputIDs, attentionMask: golden.attentionMask, tokenTypeIDs: golden.tokenTypeIDs,
                trimTrailingPadding: trim)
            #expect(batch.tokenCount == (trim ? golden.rows.map(\.numRealTokens).reduce(0, +) : 4 * 44))
            let output = try encoder.encode(batch)
            for (s, row) in golden.rows.enumerated() {
                let hidden = output.lastHiddenState(ofSequence: s)
                let n = row.numRealTokens
                let pairs: [([Float], [Float], String)] = [
                    (Array(hidden.row(0).prefix(8)), row.lastHiddenToken0First8, "token 0"),
                    (Array(hidden.row(n - 1).prefix(8)), row.lastHiddenLastRealTokenFirst8, "last real token"),
                    (output.meanPooled.row(s), row.meanPooled, "mean pooled"),
                ]
                for (actual, expected, what) in pairs {
                    expectClose(actual, expected, atol: Self.hiddenTolerance, "row \(s) \(what) (trim \(trim))")
                    worst.hidden = max(worst.hidden, maxAbsDifference(actual, expected))
                }
                // With padding kept, the pad position's (meaningless but deterministic) state matches HF's too,
                // which pins down position handling and the key mask.
                if !trim, let padded = row.paddedPositionLastHiddenFirst8, n < hidden.rows {
                    expectClose(Array(hidden.row(n).prefix(8)), padded, atol: Self.hiddenTolerance, "row \(s) first pad position")
                }
                let embedding = output.sentenceEmbeddings.row(s)
                expectClose(embedding, row.sentenceEmbedding, atol: Self.embeddingTolerance, "row \(s) embedding (trim \(trim))")
                #expect(cosine(embedding, row.sentenceEmbedding) >= 0.99999)
                worst.embedding = max(worst.embedding, maxAbsDifference(embedding, row.sentenceEmbedding))
            }
        }
        print("parity padded batch: max |Δ hidden/pooled| = \(worst.hidden), max |Δ embedding| = \(worst.embedding)")
    }

    @Test("the checkpoint loads with the expected shape and unit-length embeddings")
    func loadedShape() throws {
        let encoder = try RealWeights.require()
        #expect(encoder.configuration == .miniLML6)
        let output = try encoder.encode(PackedBatch(sequences: [[101, 7592, 102]]))
        let norm = output.sentenceEmbeddings.storage.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(norm - 1) < 1e-6)
    }
}
