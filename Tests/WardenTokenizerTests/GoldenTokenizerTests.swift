import Foundation
import Testing
import WardenTokenizer

@Suite("Golden parity with transformers.BertTokenizer")
struct GoldenTokenizerTests {
    @Test("the fixture holds all 78 cases and its texts decode to the recorded UTF-8")
    func fixtureIsIntact() {
        #expect(Fixtures.goldenCases.count == 78)
        for golden in Fixtures.goldenCases {
            let hex = golden.text.utf8.map { String(format: "%02x", $0) }.joined()
            #expect(hex == golden.textUTF8Hex, "case \(golden.id): JSON text differs from text_utf8_hex")
        }
    }

    @Test("ids (and type ids for pairs) match exactly", arguments: Fixtures.goldenCases)
    func matchesGolden(_ golden: Fixtures.GoldenCase) {
        let encoding = Fixtures.tokenizer.encode(golden.text, pair: golden.textPair, maxLength: nil)
        let tokens = encoding.ids.map { Fixtures.vocabulary.token(for: $0) ?? "?" }
        #expect(encoding.ids == golden.inputIDs,
                "case \(golden.id): got \(encoding.ids) \(tokens), expected \(golden.inputIDs)")
        let expectedTypes = golden.tokenTypeIDs ?? [Int32](repeating: 0, count: golden.inputIDs.count)
        #expect(encoding.typeIDs == expectedTypes,
                "case \(golden.id): type ids \(encoding.typeIDs), expected \(expectedTypes)")
    }
}
