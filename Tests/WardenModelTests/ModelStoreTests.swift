import Foundation
import Testing
@testable import WardenModel

@Suite("Model store")
struct ModelStoreTests {
    /// A store over a temporary home with a one-file spec whose hash we control.
    private func makeStore(content: String) throws -> (ModelStore, URL) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("warden-store-\(UUID().uuidString)")
        let hello = Data(content.utf8)
        var spec = BaseModelSpec.miniLM
        spec.sha256 = ["vocab.txt": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"]  // sha256("hello")
        let store = ModelStore(home: home, spec: spec)
        try FileManager.default.createDirectory(at: store.directory, withIntermediateDirectories: true)
        try hello.write(to: store.directory.appendingPathComponent("vocab.txt"))
        try Data("{}".utf8).write(to: store.directory.appendingPathComponent("config.json"))
        return (store, home)
    }

    @Test("a missing cache names the command that fixes it")
    func missing() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("warden-empty-\(UUID().uuidString)")
        let store = ModelStore(home: home)
        let error = #expect(throws: ModelStoreError.self) { try store.locate() }
        #expect(error?.localizedDescription.contains("warden model fetch") == true)
    }

    @Test("a verified file is located, and a changed file is detected despite the stamp")
    func verification() throws {
        let (store, home) = try makeStore(content: "hello")
        defer { try? FileManager.default.removeItem(at: home) }
        let files = try store.locate()
        #expect(files.vocabulary.lastPathComponent == "vocab.txt")
        // Second call goes through the stamp.
        _ = try store.locate()
        // Same size, different bytes, different time: must be re-hashed and rejected.
        Thread.sleep(forTimeInterval: 0.01)
        try Data("jello".utf8).write(to: store.directory.appendingPathComponent("vocab.txt"))
        let error = #expect(throws: ModelStoreError.self) { try store.locate() }
        #expect(error?.localizedDescription.contains("warden model fetch --force") == true)
    }

    @Test("sha256 of a file matches the known digest")
    func digest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("warden-sha-\(UUID().uuidString)")
        try Data("abc".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try ModelStore.sha256(of: url) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
