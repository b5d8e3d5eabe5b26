import Foundation
import Testing
import WardenTensor
@testable import WardenModel

@Suite("One encoder for both families")
struct EncoderFamilyTests {
    @Test("A position offset reads the table from that row: offset 2 equals offset 0 over the table shifted by two")
    func positionOffset() throws {
        var shifted = TinyEncoder.configuration
        shifted.positionOffset = 2
        shifted.maxPositionEmbeddings += 2
        let weights = TinyEncoder.make().weights
        var padded = weights
        let h = TinyEncoder.configuration.hiddenSize
        padded.positionEmbeddings = Matrix(rows: shifted.maxPositionEmbeddings, columns: h,
                                           storage: [Float](repeating: 9, count: 2 * h) + weights.positionEmbeddings.storage)
        let plain = Encoder(configuration: TinyEncoder.configuration, weights: weights)
        let offset = Encoder(configuration: shifted, weights: padded)
        let batch = PackedBatch(sequences: TinyEncoder.sequences(lengths: [5, 11]))
        #expect(try plain.encode(batch).lastHiddenState.storage == offset.encode(batch).lastHiddenState.storage)
        // The offset takes rows: the longest sequence is still the table minus the offset.
        let tooLong = PackedBatch(sequences: TinyEncoder.sequences(lengths: [shifted.maxSequenceLength + 1]))
        #expect(throws: EncoderError.self) { try offset.encode(tooLong) }
    }

    @Test("The configuration names the tokenizer family and position offset, inferred for Hugging Face files")
    func configuration() throws {
        func decode(_ json: String) throws -> EncoderConfiguration {
            try JSONDecoder().decode(EncoderConfiguration.self, from: Data(json.utf8))
        }
        let shape = #""vocab_size": 100, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 20"#
        let bert = try decode("{\(shape)}")
        #expect(bert.tokenizerFamily == .wordPiece && bert.positionOffset == 0)
        let xlmr = try decode(#"{\#(shape), "model_type": "xlm-roberta", "pad_token_id": 1}"#)
        #expect(xlmr.tokenizerFamily == .sentencePiece && xlmr.positionOffset == 2 && xlmr.maxSequenceLength == 18)
        let e5 = try decode(#"{\#(shape), "model_type": "bert", "tokenizer_class": "XLMRobertaTokenizer"}"#)
        #expect(e5.tokenizerFamily == .sentencePiece && e5.positionOffset == 0)
        // What Warden writes reads back the same.
        #expect(try JSONDecoder().decode(EncoderConfiguration.self, from: JSONEncoder().encode(xlmr)) == xlmr)
        #expect(throws: EncoderError.self) { try decode(#"{\#(shape), "position_offset": 20}"#).validate() }
    }
}
