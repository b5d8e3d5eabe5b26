/// Splits one pre-tokenized word into vocabulary pieces: greedy longest match first, `##` before every
/// piece after the first, as `tokenizers/src/models/wordpiece/mod.rs` does.
///
/// If any part of the word has no match the whole word becomes one `[UNK]` (not just the failing part),
/// and so does a word longer than ``maxScalarsPerWord`` Unicode scalars (counted after normalization).
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: Vocabulary
    /// BERT's `max_input_chars_per_word`: 100 scalars.
    public let maxScalarsPerWord: Int

    public init(vocabulary: Vocabulary, maxScalarsPerWord: Int = 100) {
        self.vocabulary = vocabulary
        self.maxScalarsPerWord = maxScalarsPerWord
    }

    /// The piece ids of one word, taken as it is (no normalization, no splitting on spaces or punctuation).
    public func pieceIDs(forWord word: String) -> [Int32] {
        var ids: [Int32] = []
        let scalarCount = word.unicodeScalars.count
        Array(word.utf8).withUnsafeBufferPointer { buffer in
            vocabulary.trie.withView { trie in
                appendPieces(of: buffer, scalarCount: scalarCount, trie: trie, to: &ids)
            }
        }
        return ids
    }

    /// Appends the pieces of the word spelled by `word` (valid UTF-8) to `ids`.
    @inline(__always)
    func appendPieces(of word: UnsafeBufferPointer<UInt8>, scalarCount: Int, trie: PieceTrie.View,
                      to ids: inout [Int32]) {
        let unknown = vocabulary.specialIDs.unknown
        guard scalarCount <= maxScalarsPerWord else {
            ids.append(unknown)
            return
        }
        let firstPiece = ids.count
        var start = 0
        while start < word.count {
            var node = start == 0 ? PieceTrie.root : vocabulary.continuationNode
            var bestID = PieceTrie.none
            var bestEnd = start
            var index = start
            // Every vocabulary entry is whole UTF-8, so any match ends on a scalar boundary.
            while node != PieceTrie.none && index < word.count {
                node = trie.child(of: node, word[index])
                index &+= 1
                if node != PieceTrie.none {
                    let id = trie.tokenID[Int(node)]
                    if id != PieceTrie.none {
                        bestID = id
                        bestEnd = index
                    }
                }
            }
            guard bestID != PieceTrie.none else {
                ids.removeSubrange(firstPiece...)
                ids.append(unknown)
                return
            }
            ids.append(bestID)
            start = bestEnd
        }
    }
}
