import Foundation

/// The uncased BERT WordPiece tokenizer of `all-MiniLM-L6-v2`, matching Hugging Face `transformers`
/// (the Rust `tokenizers` pipeline) id for id on the golden cases.
///
/// Immutable after loading, so one instance serves every request concurrently.
public final class BertTokenizer: Tokenizer {
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

    public var family: TokenizerFamily { .wordPiece }
    public var specialIDs: SpecialTokenIDs { vocabulary.specialIDs }
    public var vocabularySize: Int { vocabulary.count }

    public func token(for id: Int32) -> String? {
        vocabulary.token(for: id)
    }

    // MARK: - Encodings

    /// Wraps already-tokenized pieces (from ``pieceIDs(_:)``, or a window of them) in `[CLS]`/`[SEP]`.
    ///
    /// - Parameters:
    ///   - second: nil for one segment; an empty array still adds the second `[SEP]`.
    ///   - maxLength: total length including special tokens; nil means no limit. A limit smaller than the
    ///     special tokens themselves (2 or 3) leaves only the special tokens.
    public func assemble(first: [Int32], second: [Int32]?, maxLength: Int? = nil,
                         truncation: TruncationStrategy = .longestFirst) -> Encoding {
        Framing.bert(vocabulary.specialIDs).assemble(first: first, second: second, maxLength: maxLength, truncation: truncation)
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
