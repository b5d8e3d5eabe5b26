import Testing
import WardenTokenizer

@Suite("Encoding, truncation and assembly")
struct EncodingTests {
    let tokenizer = Fixtures.tokenizer
    /// "one two three four five six seven eight": one piece per word.
    let eight = "one two three four five six seven eight"

    func tokens(_ encoding: Encoding) -> [String] {
        encoding.ids.map { Fixtures.vocabulary.token(for: $0)! }
    }

    @Test("pieceIDs has no special tokens; encode wraps them in [CLS] ... [SEP]")
    func piecesAndEncode() {
        #expect(tokenizer.pieceIDs("unaffable playing") == [14477, 20961, 3468, 2652])
        #expect(tokenizer.pieceIDs("") == [])
        let encoding = tokenizer.encode("playing")
        #expect(encoding.ids == [101, 2652, 102])
        #expect(encoding.typeIDs == [0, 0, 0])
        #expect(encoding.count == 3)
        #expect(!encoding.isTruncated)
    }

    @Test("one segment with maxLength keeps its start")
    func singleTruncation() {
        let encoding = tokenizer.encode(eight, maxLength: 5)
        #expect(tokens(encoding) == ["[CLS]", "one", "two", "three", "[SEP]"])
        #expect(encoding.droppedPieceCount == 5)
        #expect(tokenizer.encode(eight, maxLength: 10).droppedPieceCount == 0)
    }

    // Expected values computed by hand from the Rust rule and checked with
    // transformers 5.24 `tok(a, b, truncation="longest_first", max_length=m)`.
    @Test("longestFirst matches Hugging Face", arguments: [
        (8, ["one", "two", "three"], ["alpha", "beta"]),            // budget 5: shorter gets 2, longer 3
        (9, ["one", "two", "three"], ["alpha", "beta", "gamma"]),   // budget 6: halves
        (10, ["one", "two", "three", "four"], ["alpha", "beta", "gamma"]), // shorter fits: longer takes the rest
        (14, ["one", "two", "three", "four", "five", "six", "seven", "eight"], ["alpha", "beta", "gamma"]),
    ])
    func longestFirst(maxLength: Int, first: [String], second: [String]) {
        let encoding = tokenizer.encode(eight, pair: "alpha beta gamma", maxLength: maxLength)
        #expect(tokens(encoding) == ["[CLS]"] + first + ["[SEP]"] + second + ["[SEP]"])
        #expect(encoding.typeIDs == [Int32](repeating: 0, count: first.count + 2)
                + [Int32](repeating: 1, count: second.count + 1))
        #expect(encoding.droppedPieceCount == 11 - first.count - second.count)
    }

    @Test("longestFirst on equal lengths gives the odd piece to the second segment, as Hugging Face")
    func longestFirstTie() {
        let encoding = tokenizer.encode("one two three four five", pair: "alpha beta gamma delta epsilon",
                                        maxLength: 8)
        #expect(encoding.ids == [101, 2028, 2048, 102, 6541, 8247, 13091, 102])
    }

    @Test("leftOfFirst drops the start of the first segment and keeps its end")
    func leftOfFirst() {
        let single = tokenizer.assemble(first: tokenizer.pieceIDs(eight), second: nil, maxLength: 5,
                                        truncation: .leftOfFirst)
        #expect(tokens(single) == ["[CLS]", "six", "seven", "eight", "[SEP]"])
        let pair = tokenizer.encode(eight, pair: "alpha beta gamma", maxLength: 8, truncation: .leftOfFirst)
        #expect(tokens(pair) == ["[CLS]", "seven", "eight", "[SEP]", "alpha", "beta", "gamma", "[SEP]"])
        #expect(pair.droppedPieceCount == 6)
        // When the second segment alone is too long, the first is emptied and the second cut at its end.
        let squeezed = tokenizer.encode(eight, pair: "alpha beta gamma", maxLength: 5, truncation: .leftOfFirst)
        #expect(tokens(squeezed) == ["[CLS]", "[SEP]", "alpha", "beta", "[SEP]"])
    }

    @Test("a limit below the special tokens leaves only the special tokens")
    func tinyLimit() {
        #expect(tokenizer.encode(eight, maxLength: 1).ids == [101, 102])
        #expect(tokenizer.encode(eight, pair: "alpha", maxLength: 0).ids == [101, 102, 102])
    }

    @Test("assemble wraps pieces without re-tokenizing, and an empty second array keeps its [SEP]")
    func assemble() {
        let window: [Int32] = [2093, 2176]
        let single = tokenizer.assemble(first: window, second: nil)
        #expect(single.ids == [101, 2093, 2176, 102])
        #expect(single.typeIDs == [0, 0, 0, 0])
        let pair = tokenizer.assemble(first: window, second: [6541])
        #expect(pair.ids == [101, 2093, 2176, 102, 6541, 102])
        #expect(pair.typeIDs == [0, 0, 0, 0, 1, 1])
        let emptySecond = tokenizer.assemble(first: window, second: [])
        #expect(emptySecond.ids == [101, 2093, 2176, 102, 102])
        #expect(emptySecond.typeIDs == [0, 0, 0, 0, 1])
    }

    @Test("an empty second string means no pair; a blank one keeps its [SEP] (transformers behaviour)")
    func emptySecondSegment() {
        #expect(tokenizer.encode("only first", pair: "", maxLength: nil).ids == [101, 2069, 2034, 102])
        let blank = tokenizer.encode("only first", pair: "   ", maxLength: nil)
        #expect(blank.ids == [101, 2069, 2034, 102, 102])
        #expect(blank.typeIDs == [0, 0, 0, 0, 1])
    }
}
