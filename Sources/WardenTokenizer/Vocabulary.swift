import Foundation

/// The ids of the five special tokens every BERT vocabulary has.
public struct SpecialTokenIDs: Sendable, Equatable {
    public let pad: Int32
    public let unknown: Int32
    public let classification: Int32
    public let separator: Int32
    public let mask: Int32
}

/// A WordPiece vocabulary: token id = line number (0-based) of `vocab.txt`.
///
/// Lookups go through a byte trie, never through `String` hashing (which folds canonically equivalent
/// spellings together).
public struct Vocabulary: Sendable {
    /// The special token spellings, in the order BERT's `added_tokens` lists them.
    public static let specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// Token spellings by id.
    public let tokens: [String]
    public let specialIDs: SpecialTokenIDs
    let trie: PieceTrie
    /// The trie node for `##`, where continuation lookups start (`none` if the vocabulary has no `##` piece).
    let continuationNode: Int32

    public var count: Int { tokens.count }

    /// Loads a `vocab.txt` (one token per line, UTF-8; a trailing `\r` is ignored).
    /// - Throws: ``VocabularyError`` naming the file: missing, unreadable, not UTF-8, empty, a blank or duplicate
    ///   token, or a missing special token.
    public init(contentsOf url: URL) throws {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw VocabularyError.fileNotFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw VocabularyError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard String(validating: data, as: UTF8.self) != nil else { throw VocabularyError.notUTF8(path: path) }
        // Split bytes, not `Character`s: Swift reads "\r\n" as one `Character`, which is not "\n".
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        // A final newline leaves one empty element; it is not a token.
        if lines.last == "" { lines.removeLast() }
        try self.init(tokens: lines, source: path)
    }

    /// Builds a vocabulary from token spellings in id order.
    /// - Parameter source: how errors name the origin of the tokens (a path, or a description).
    /// - Throws: ``VocabularyError`` for an empty list, a blank or duplicate token, or a missing special token.
    public init(tokens: [String], source: String = "<in-memory vocabulary>") throws {
        guard !tokens.isEmpty else { throw VocabularyError.empty(path: source) }
        var spellings: [[UInt8]] = []
        spellings.reserveCapacity(tokens.count)
        for (index, token) in tokens.enumerated() {
            guard !token.isEmpty else { throw VocabularyError.emptyToken(path: source, line: index + 1) }
            spellings.append(Array(token.utf8))
        }
        let trie = PieceTrie(spellings: spellings)
        // The trie keeps the last id of a repeated spelling; any mismatch reveals a duplicate.
        for (index, bytes) in spellings.enumerated() where trie.id(for: bytes) != Int32(index) {
            let first = spellings.firstIndex(of: bytes) ?? index
            let second = spellings[(first + 1)...].firstIndex(of: bytes) ?? index
            throw VocabularyError.duplicateToken(path: source, token: tokens[index], firstLine: first + 1,
                                                 line: second + 1)
        }
        let special = Vocabulary.specialTokens.map { trie.id(for: $0.utf8) }
        let missing = zip(Vocabulary.specialTokens, special).filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty else { throw VocabularyError.missingSpecialTokens(path: source, tokens: missing) }
        self.tokens = tokens
        self.trie = trie
        self.specialIDs = SpecialTokenIDs(pad: special[0]!, unknown: special[1]!, classification: special[2]!,
                                          separator: special[3]!, mask: special[4]!)
        self.continuationNode = trie.node(for: "##".utf8)
    }

    /// The id of a token spelled exactly so (byte for byte; no normalization), or nil.
    public func id(for token: String) -> Int32? {
        trie.id(for: token.utf8)
    }

    /// The spelling of a token id, or nil when the id is out of range.
    public func token(for id: Int32) -> String? {
        tokens.indices.contains(Int(id)) ? tokens[Int(id)] : nil
    }
}
