import Foundation
import Testing
import WardenCore

@Suite("Content hashes and stored audit text")
struct ContentHashTests {
    @Test("SHA-256 in lowercase hex matches the FIPS 180 test vector, for text, data and files")
    func knownVector() throws {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(ContentHash.sha256Hex("abc") == expected)
        #expect(ContentHash.sha256Hex(Data("abc".utf8)) == expected)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("abc".utf8).write(to: file)
        #expect(try ContentHash.sha256Hex(contentsOf: file) == expected)
        #expect(ContentHash.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    @Test("stored text: full keeps it, hash keeps only its SHA-256, none keeps the role; hashing twice adds nothing")
    func storage() {
        let messages: [Message] = [.user("abc"), .assistant("")]
        #expect(TextStorage.full.stored(messages).map(\.content) == ["abc", ""])
        let hashed = TextStorage.hash.stored(messages)
        #expect(hashed.map(\.content) == [nil, nil])
        #expect(hashed[0].contentHash == ContentHash.sha256Hex("abc"))
        #expect(TextStorage.hash.stored(hashed) == hashed)
        #expect(TextStorage.none.stored(messages).allSatisfy { $0.content == nil && $0.contentHash == nil })
    }
}
