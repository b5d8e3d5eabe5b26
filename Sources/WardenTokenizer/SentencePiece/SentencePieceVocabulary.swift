import Foundation

/// The scored pieces of a SentencePiece unigram model: piece id = line number (0-based) of `unigram.tsv`.
///
/// File format: one piece per line, its UTF-8 spelling (never containing a tab or newline), a tab, and its
/// log-probability score as a decimal float that round-trips to the same `Float`.
public struct SentencePieceVocabulary: Sendable {
    /// The XLM-R special piece spellings: `<s>` frames like `[CLS]`, `</s>` like `[SEP]`.
    public static let start = "<s>", end = "</s>", padding = "<pad>", unknown = "<unk>", mask = "<mask>"

    public let pieces: [String]
    public let scores: [Float]
    public let specialIDs: SpecialTokenIDs
    /// The score of an unknown single character: the lowest piece score minus 10, SentencePiece's `kUnkPenalty`.
    public let unknownScore: Float
    let trie: PieceTrie

    public var count: Int { pieces.count }

    /// Builds a vocabulary from pieces and scores in id order.
    /// - Parameter source: how errors name the origin of the pieces.
    /// - Throws: ``SentencePieceError`` for no pieces, an empty or duplicate piece, or a missing special piece.
    public init(pieces: [String], scores: [Float], source: String = "<in-memory vocabulary>") throws {
        precondition(pieces.count == scores.count, "one score per piece")
        guard !pieces.isEmpty else { throw SentencePieceError.empty(path: source) }
        let spellings = pieces.map { Array($0.utf8) }
        for (index, bytes) in spellings.enumerated() where bytes.isEmpty {
            throw SentencePieceError.malformedLine(path: source, line: index + 1, reason: "the piece is empty")
        }
        let trie = PieceTrie(spellings: spellings)
        // The trie keeps the last id of a repeated spelling; any mismatch reveals a duplicate.
        for (index, bytes) in spellings.enumerated() where trie.id(for: bytes) != Int32(index) {
            let first = spellings.firstIndex(of: bytes) ?? index
            let second = spellings[(first + 1)...].firstIndex(of: bytes) ?? index
            throw SentencePieceError.duplicatePiece(path: source, piece: pieces[index], firstLine: first + 1, line: second + 1)
        }
        let required = [Self.start, Self.end, Self.padding, Self.unknown]
        let ids = required.map { trie.id(for: $0.utf8) }
        let missing = zip(required, ids).filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty else { throw SentencePieceError.missingSpecialPieces(path: source, pieces: missing) }
        self.pieces = pieces
        self.scores = scores
        self.trie = trie
        self.specialIDs = SpecialTokenIDs(pad: ids[2]!, unknown: ids[3]!, classification: ids[0]!, separator: ids[1]!,
                                          mask: trie.id(for: Self.mask.utf8) ?? ids[3]!)
        self.unknownScore = (scores.min() ?? 0) - 10
    }

    /// Loads `unigram.tsv`.
    /// - Throws: ``SentencePieceError`` naming the file and line.
    public init(contentsOf url: URL) throws {
        var pieces: [String] = [], scores: [Float] = []
        let lines = try TextLines.read(url)
        pieces.reserveCapacity(lines.count)
        scores.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard let tab = line.lastIndex(of: "\t"), let score = Float(line[line.index(after: tab)...]), score.isFinite else {
                throw SentencePieceError.malformedLine(path: url.path, line: index + 1, reason: "expected `piece<TAB>score`")
            }
            pieces.append(String(line[..<tab]))
            scores.append(score)
        }
        try self.init(pieces: pieces, scores: scores, source: url.path)
    }

    /// The file contents ``init(contentsOf:)`` reads (`Float.description` is the shortest round-tripping form).
    public func serialized() -> String {
        var out = ""
        out.reserveCapacity(pieces.count * 16)
        for (piece, score) in zip(pieces, scores) {
            out += piece + "\t" + score.description + "\n"
        }
        return out
    }

    /// The id of a piece spelled exactly so (byte for byte), or nil.
    public func id(for piece: String) -> Int32? {
        trie.id(for: piece.utf8)
    }
}
