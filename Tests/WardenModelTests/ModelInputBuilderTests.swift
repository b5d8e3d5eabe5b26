import Testing
import WardenCore
import WardenTokenizer
@testable import WardenModel

@Suite("Model input windows")
struct ModelInputBuilderTests {
    /// Ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then w0...w99 = 5...104, user/assistant/: after.
    static let tokenizer: BertTokenizer = {
        let words = (0..<100).map { "w\($0)" } + ["user", "assistant", ":"]
        let vocabulary = try! Vocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words)
        return BertTokenizer(vocabulary: vocabulary, specialTokensInText: .plainText)
    }()

    func words(_ range: Range<Int>) -> String { range.map { "w\($0)" }.joined(separator: " ") }
    func id(_ word: Int) -> Int32 { Int32(word + 5) }

    @Test("a short prompt is one window with context before it")
    func shortInput() {
        let builder = ModelInputBuilder(tokenizer: Self.tokenizer, maxLength: 16, overlap: 4)
        let conversation = Conversation([.user(words(0..<2)), .assistant(words(2..<3)), .user(words(3..<5))])
        let windows = builder.windows(for: ClassificationInput(conversation: conversation, direction: .input))
        #expect(windows.count == 1)
        // Context "user: w0 w1 \n assistant: w2" then the judged turn w3 w4.
        #expect(windows[0].ids.suffix(3) == [id(3), id(4), 3])
        #expect(windows[0].ids.first == 2)
    }

    @Test("context is truncated from the left so the judged turn always fits")
    func contextTruncation() {
        let builder = ModelInputBuilder(tokenizer: Self.tokenizer, maxLength: 10, overlap: 2)
        let conversation = Conversation([.user(words(0..<20)), .user(words(20..<25))])
        let windows = builder.windows(for: ClassificationInput(conversation: conversation, direction: .input))
        #expect(windows.count == 1)
        #expect(windows[0].ids == [2, id(17), id(18), id(19), id(20), id(21), id(22), id(23), id(24), 3])
    }

    @Test("a long turn becomes overlapping windows that cover every piece and end at the end")
    func longTurn() {
        let builder = ModelInputBuilder(tokenizer: Self.tokenizer, maxLength: 10, overlap: 3)
        let windows = builder.windows(for: ClassificationInput(text: words(0..<20)))
        #expect(windows.allSatisfy { $0.count <= 10 })
        let pieces = windows.map { Array($0.ids.dropFirst().dropLast()) }
        #expect(pieces.first?.first == id(0))
        #expect(pieces.last?.last == id(19))
        for (a, b) in zip(pieces, pieces.dropFirst()) {
            #expect(Set(a).intersection(b).count >= 3, "neighbours overlap")
        }
        #expect(Set(pieces.flatMap { $0 }) == Set((0..<20).map(id)))
    }

    @Test("output windows pair the prompt tail with windows of the response")
    func outputWindows() {
        let builder = ModelInputBuilder(tokenizer: Self.tokenizer, maxLength: 16, overlap: 4)
        let conversation = Conversation(prompt: words(0..<10), response: words(50..<80))
        let windows = builder.windows(for: ClassificationInput(conversation: conversation, direction: .output))
        #expect(windows.count > 1)
        for window in windows {
            #expect(window.count <= 16)
            #expect(window.typeIDs.first == 0 && window.typeIDs.last == 1)
            // The prompt's last piece is kept in every window.
            let separator = window.ids.firstIndex(of: 3)!
            #expect(window.ids[separator - 1] == id(9))
        }
        #expect(windows.last!.ids.dropLast().last == id(79))
    }

    @Test("special-token strings in user text are plain text")
    func noInjection() {
        let builder = ModelInputBuilder(tokenizer: Self.tokenizer, maxLength: 16, overlap: 4)
        let window = builder.windows(for: ClassificationInput(text: "w1 [SEP] w2"))[0]
        #expect(window.ids.filter { $0 == 3 }.count == 1)
    }
}
