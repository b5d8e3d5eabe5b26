import Testing
import WardenTokenizer

@Suite("Basic tokenizer and WordPiece")
struct PiecesTests {
    @Test("normalization follows Rust: clean, space CJK, NFD, drop Mn, lowercase; split on punctuation")
    func basicWords() {
        let basic = BasicTokenizer()
        #expect(basic.words("Crème brûlée, 안녕") == ["creme", "brulee", ",", "안녕".decomposedForTest])
        #expect(basic.words("zero\u{200B}width\tx\u{2028}y") == ["zerowidth", "x", "y"])
        #expect(basic.words("中文text") == ["中", "文", "text"])
        #expect(basic.words("İ ΣΑΣ €100") == ["i", "σασ", "€100"])
        #expect(basic.words(" \u{0} \u{FFFD}\u{E000} ") == [])
    }

    @Test("WordPiece: greedy longest match with ## continuations")
    func wordPiece() {
        let wordPiece = WordPieceTokenizer(vocabulary: Fixtures.vocabulary)
        #expect(wordPiece.pieceIDs(forWord: "unaffable") == [14477, 20961, 3468])
        #expect(wordPiece.pieceIDs(forWord: "tokenization") == [19204, 3989])
        #expect(wordPiece.pieceIDs(forWord: "xqzj") == [1060, 4160, 2480, 3501])
    }

    @Test("WordPiece: the whole word is [UNK] when a part fails or it exceeds 100 scalars")
    func unknownWords() {
        let wordPiece = WordPieceTokenizer(vocabulary: Fixtures.vocabulary)
        #expect(wordPiece.pieceIDs(forWord: "thumbs👍🏽up") == [100])
        #expect(wordPiece.pieceIDs(forWord: String(repeating: "a", count: 101)) == [100])
        #expect(wordPiece.pieceIDs(forWord: String(repeating: "a", count: 100)).count > 1)
        let short = WordPieceTokenizer(vocabulary: Fixtures.vocabulary, maxScalarsPerWord: 3)
        #expect(short.pieceIDs(forWord: "cats") == [100])
    }

    @Test("vocabulary lookups are byte-exact: the decomposed é is not the precomposed é")
    func exactLookup() throws {
        let decomposed = try Vocabulary(tokens: Vocabulary.specialTokens + ["e\u{301}"])
        #expect(decomposed.id(for: "e\u{301}") == 5)
        #expect(decomposed.id(for: "\u{E9}") == nil)
        let vocabulary = Fixtures.vocabulary
        #expect(vocabulary.id(for: "hello") == 7592)
        #expect(vocabulary.token(for: 7592) == "hello")
        #expect(vocabulary.id(for: "##ing") == 2075)
        #expect(vocabulary.id(for: "Hello") == nil)
        #expect(vocabulary.token(for: -1) == nil)
        #expect(vocabulary.token(for: Int32(vocabulary.count)) == nil)
        let ids = vocabulary.specialIDs
        #expect([ids.pad, ids.unknown, ids.classification, ids.separator, ids.mask] == [0, 100, 101, 102, 103])
        #expect(vocabulary.count == 30522)
    }
}

extension String {
    /// Hangul syllables as conjoining jamo (what NFD makes of them).
    var decomposedForTest: String {
        String(String.UnicodeScalarView(decomposedStringWithCanonicalMapping.unicodeScalars))
    }
}
