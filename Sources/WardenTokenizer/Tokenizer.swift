/// Which algorithm (and vocabulary format) a tokenizer implements; the encoder configuration names it so a
/// model directory says which tokenizer its ids come from.
public enum TokenizerFamily: String, Codable, Sendable, CaseIterable {
    /// BERT WordPiece over a `vocab.txt` (all-MiniLM-L6-v2).
    case wordPiece = "wordpiece"
    /// SentencePiece unigram over scored pieces (the XLM-R vocabulary of multilingual-e5-small).
    case sentencePiece = "sentencepiece-unigram"
}

/// What the model input builder, the classifier and training need from a tokenizer, whatever its family.
///
/// Implementations are immutable after loading, so one instance serves every request concurrently.
public protocol Tokenizer: Sendable {
    var family: TokenizerFamily { get }
    /// The ids of the framing and padding tokens (`[CLS]`/`<s>`, `[SEP]`/`</s>`, ...).
    var specialIDs: SpecialTokenIDs { get }
    /// How many ids the tokenizer can produce (ids are `0..<vocabularySize`).
    var vocabularySize: Int { get }

    /// The piece ids of `text`, without framing tokens and without truncation.
    func pieceIDs(_ text: String) -> [Int32]

    /// The spelling of a piece id, or nil when the id is out of range.
    func token(for id: Int32) -> String?

    /// Wraps already-tokenized pieces in the family's framing, truncated to `maxLength` (framing included).
    /// - Parameter second: nil for one segment; an empty array still adds the second segment's framing.
    func assemble(first: [Int32], second: [Int32]?, maxLength: Int?, truncation: TruncationStrategy) -> Encoding
}

extension Tokenizer {
    /// ``assemble(first:second:maxLength:truncation:)`` without a length limit.
    public func assemble(first: [Int32], second: [Int32]?) -> Encoding {
        assemble(first: first, second: second, maxLength: nil, truncation: .longestFirst)
    }

    /// One framed segment, keeping the start of the text when `maxLength` (framing included) is exceeded.
    public func encode(_ text: String, maxLength: Int? = nil) -> Encoding {
        assemble(first: pieceIDs(text), second: nil, maxLength: maxLength, truncation: .longestFirst)
    }

    /// Two framed segments. An empty string `second` counts as no second segment, as `transformers` does.
    public func encode(_ first: String, pair second: String?, maxLength: Int?,
                       truncation: TruncationStrategy = .longestFirst) -> Encoding {
        let secondPieces = second.flatMap { $0.isEmpty ? nil : pieceIDs($0) }
        return assemble(first: pieceIDs(first), second: secondPieces, maxLength: maxLength, truncation: truncation)
    }

    /// The spellings of `text`'s pieces (for inspection; the model needs ``pieceIDs(_:)``).
    public func tokens(_ text: String) -> [String] {
        pieceIDs(text).map { token(for: $0) ?? "" }
    }
}
