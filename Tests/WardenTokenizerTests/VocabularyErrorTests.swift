import Foundation
import Testing
import WardenTokenizer

@Suite("Vocabulary loading errors")
struct VocabularyErrorTests {
    let special = Vocabulary.specialTokens.joined(separator: "\n")

    /// Writes `contents` to a fresh temporary file and returns its URL.
    func file(_ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func loadError(_ url: URL) -> VocabularyError? {
        do {
            _ = try Vocabulary(contentsOf: url)
            return nil
        } catch {
            return error as? VocabularyError
        }
    }

    @Test("a missing file names the path")
    func missing() {
        let url = URL(fileURLWithPath: "/nonexistent/warden/vocab.txt")
        #expect(loadError(url) == .fileNotFound(path: url.path))
        #expect(loadError(url)?.description.contains("/nonexistent/warden/vocab.txt") == true)
    }

    @Test("an empty file, a blank line and a duplicate are reported with line numbers")
    func malformed() throws {
        let empty = try file("")
        #expect(loadError(empty) == .empty(path: empty.path))
        let blank = try file("\(special)\n\nhello\n")
        #expect(loadError(blank) == .emptyToken(path: blank.path, line: 6))
        let duplicate = try file("\(special)\nhello\nworld\nhello\n")
        #expect(loadError(duplicate) == .duplicateToken(path: duplicate.path, token: "hello", firstLine: 6, line: 8))
    }

    @Test("missing special tokens are listed")
    func missingSpecials() throws {
        let url = try file("[PAD]\n[UNK]\n[CLS]\nhello\n")
        #expect(loadError(url) == .missingSpecialTokens(path: url.path, tokens: ["[SEP]", "[MASK]"]))
    }

    @Test("invalid UTF-8 is rejected; CRLF line endings and a missing final newline are accepted")
    func encodings() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt")
        try Data(Array(special.utf8) + [0x0A, 0xFF, 0xFE]).write(to: url)
        #expect(loadError(url) == .notUTF8(path: url.path))
        let crlf = try Vocabulary(contentsOf: try file(special.replacingOccurrences(of: "\n", with: "\r\n") + "\r\nhi"))
        #expect(crlf.count == 6)
        #expect(crlf.id(for: "hi") == 5)
        #expect(crlf.id(for: "[MASK]") == 4)
    }
}
