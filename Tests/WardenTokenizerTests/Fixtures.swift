import Foundation
import Testing
import WardenTokenizer

/// Shared fixtures: the real all-MiniLM-L6-v2 vocabulary (copied from the base model) and the golden cases.
enum Fixtures {
    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    /// Loaded once; tokenizers are immutable and shared across tests.
    static let vocabulary: Vocabulary = try! Vocabulary(contentsOf: url("vocab.txt"))
    static let tokenizer = BertTokenizer(vocabulary: vocabulary)
    static let plainTokenizer = BertTokenizer(vocabulary: vocabulary, specialTokensInText: .plainText)

    /// One line of `tokenizer_cases.jsonl` (golden ids from `transformers.BertTokenizer`).
    struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let category: String
        let text: String
        let textPair: String?
        let textUTF8Hex: String
        let inputIDs: [Int32]
        let tokenTypeIDs: [Int32]?

        enum CodingKeys: String, CodingKey {
            case id, category, text
            case textPair = "text_pair"
            case textUTF8Hex = "text_utf8_hex"
            case inputIDs = "input_ids"
            case tokenTypeIDs = "token_type_ids"
        }

        var testDescription: String { id }
    }

    static let goldenCases: [GoldenCase] = {
        let data = try! Data(contentsOf: url("tokenizer_cases.jsonl"))
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).map { try! decoder.decode(GoldenCase.self, from: Data($0)) }
    }()
}
