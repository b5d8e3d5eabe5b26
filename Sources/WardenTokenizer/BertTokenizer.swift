import Foundation

/// The uncased BERT WordPiece tokenizer of `all-MiniLM-L6-v2`, matching Hugging Face `transformers`
/// (the Rust `tokenizers` pipeline) id for id on the golden cases.
///
/// Immutable after loading, so one instance serves every request concurrently.
public final class BertTokenizer: Sendable {
    /// What to do with the special-token spellings `[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]` in user text.
    public enum SpecialTokensInText: Sendable, Equatable {
        /// Match them (case-sensitive, before normalization) and emit their ids, as Hugging Face does.
        /// This is the default for parity with the reference tokenizer.
        case match
        /// Treat them as ordinary text (`[SEP]` → `[`, `sep`, `]`). Use this for untrusted input: with
        /// `.match`, a user can write `[SEP]` to forge a segment boundary or `[CLS]` to fake a new sequence.
        case plainText
    }

    public let vocabulary: Vocabulary
    public let specialTokensInText: SpecialTokensInText
    public let basicTokenizer: BasicTokenizer
    public let wordPiece: WordPieceTokenizer
    /// UTF-8 spellings and ids of the special tokens, for matching them in text.
    private let specialSpellings: [(bytes: [UInt8], id: Int32)]

    public init(vocabulary: Vocabulary, specialTokensInText: SpecialTokensInText = .match) {
        self.vocabulary = vocabulary
        self.specialTokensInText = specialTokensInText
        self.basicTokenizer = BasicTokenizer()
        self.wordPiece = WordPieceTokenizer(vocabulary: vocabulary)
        let ids = vocabulary.specialIDs
        self.specialSpellings = zip(Vocabulary.specialTokens, [ids.pad, ids.unknown, ids.classification,
                                                              ids.separator, ids.mask])
            .map { (Array($0.0.utf8), $0.1) }
    }

    /// Loads `vocab.txt`.
    /// - Throws: ``VocabularyError`` naming the file and the problem.
    public convenience init(vocabularyURL: URL, specialTokensInText: SpecialTokensInText = .match) throws {
        self.init(vocabulary: try Vocabulary(contentsOf: vocabularyURL), specialTokensInText: specialTokensInText)
    }

    // MARK: - Pieces

    /// The word-piece ids of `text`, without `[CLS]`/`[SEP]` and without truncation.
    /// With ``SpecialTokensInText/match`` a special-token spelling in the text yields its id here.
    public func pieceIDs(_ text: String) -> [Int32] {
        var text = text
        return text.withUTF8 { bytes in
            vocabulary.trie.withView { trie in
                var consumer = PieceCollector(wordPiece: wordPiece, trie: trie)
                consumer.ids.reserveCapacity(bytes.count / 4 + 4)
                if specialTokensInText == .match {
                    splitOnSpecialTokens(bytes, consumer: &consumer)
                } else {
                    basicTokenizer.forEachWord(in: bytes, consumer: &consumer)
                }
                return consumer.ids
            }
        }
    }

    /// The token spellings of `text`'s pieces (for inspection; the model needs ``pieceIDs(_:)``).
    public func tokens(_ text: String) -> [String] {
        pieceIDs(text).map { vocabulary.tokens[Int($0)] }
    }

    // MARK: - Encodings

    /// `[CLS] text [SEP]`, keeping the start of the text when `maxLength` (special tokens included) is exceeded.
    public func encode(_ text: String, maxLength: Int? = nil) -> Encoding {
        assemble(first: pieceIDs(text), second: nil, maxLength: maxLength, truncation: .longestFirst)
    }

    /// `[CLS] first [SEP] second [SEP]`, truncated to `maxLength` (special tokens included) by `truncation`.
    ///
    /// An empty string `second` counts as no second segment and gives `[CLS] first [SEP]`, as the
    /// `transformers` front end does. A non-empty `second` that yields no pieces (only spaces, say) keeps its
    /// own `[SEP]` with type id 1, as `transformers` does too.
    public func encode(_ first: String, pair second: String?, maxLength: Int?,
                       truncation: TruncationStrategy = .longestFirst) -> Encoding {
        let secondPieces = second.flatMap { $0.isEmpty ? nil : pieceIDs($0) }
        return assemble(first: pieceIDs(first), second: secondPieces, maxLength: maxLength, truncation: truncation)
    }

    /// Wraps already-tokenized pieces (from ``pieceIDs(_:)``, or a window of them) in `[CLS]`/`[SEP]`.
    ///
    /// - Parameters:
    ///   - second: nil for one segment; an empty array still adds the second `[SEP]`.
    ///   - maxLength: total length including special tokens; nil means no limit. A limit smaller than the
    ///     special tokens themselves (2 or 3) leaves only the special tokens.
    public func assemble(first: [Int32], second: [Int32]?, maxLength: Int? = nil,
                         truncation: TruncationStrategy = .longestFirst) -> Encoding {
        let specialCount = second == nil ? 2 : 3
        var kept = (first: first.count, second: second?.count ?? 0)
        if let maxLength {
            kept = Truncation.keptLengths(first: first.count, second: second?.count, budget: maxLength - specialCount,
                                          strategy: truncation)
        }
        let dropped = first.count - kept.first + (second?.count ?? 0) - kept.second
        let cls = vocabulary.specialIDs.classification
        let sep = vocabulary.specialIDs.separator
        var ids: [Int32] = []
        ids.reserveCapacity(kept.first + kept.second + specialCount)
        ids.append(cls)
        // `.leftOfFirst` keeps the end of the first segment; every other cut keeps the start.
        ids.append(contentsOf: truncation == .leftOfFirst ? first.suffix(kept.first) : first.prefix(kept.first))
        ids.append(sep)
        let firstLength = ids.count
        if let second {
            ids.append(contentsOf: second.prefix(kept.second))
            ids.append(sep)
        }
        var typeIDs = [Int32](repeating: 0, count: ids.count)
        for index in firstLength..<ids.count { typeIDs[index] = 1 }
        return Encoding(ids: ids, typeIDs: typeIDs, droppedPieceCount: dropped)
    }

    // MARK: - Special tokens in text

    /// Emits the ids of special-token spellings found in `bytes` and tokenizes the text between them.
    private func splitOnSpecialTokens(_ bytes: UnsafeBufferPointer<UInt8>, consumer: inout PieceCollector) {
        var segmentStart = 0
        var index = 0
        while index < bytes.count {
            // Every special spelling starts with "[", so only brackets need a closer look.
            guard bytes[index] == UInt8(ascii: "["),
                  let special = specialSpellings.first(where: { matches($0.bytes, in: bytes, at: index) })
            else {
                index += 1
                continue
            }
            basicTokenizer.forEachWord(in: UnsafeBufferPointer(rebasing: bytes[segmentStart..<index]),
                                       consumer: &consumer)
            consumer.ids.append(special.id)
            index += special.bytes.count
            segmentStart = index
        }
        basicTokenizer.forEachWord(in: UnsafeBufferPointer(rebasing: bytes[segmentStart..<bytes.count]),
                                   consumer: &consumer)
    }

    private func matches(_ spelling: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard index + spelling.count <= bytes.count else { return false }
        for offset in spelling.indices where bytes[index + offset] != spelling[offset] { return false }
        return true
    }
}

/// Runs WordPiece on each word as the basic tokenizer produces it.
private struct PieceCollector: WordConsumer {
    let wordPiece: WordPieceTokenizer
    let trie: PieceTrie.View
    var ids: [Int32] = []

    mutating func consume(word: UnsafeBufferPointer<UInt8>, scalarCount: Int) {
        wordPiece.appendPieces(of: word, scalarCount: scalarCount, trie: trie, to: &ids)
    }
}
