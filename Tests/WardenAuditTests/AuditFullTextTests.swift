import Foundation
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit full-text search")
struct AuditFullTextTests {
    static let awkwardInputs = [
        "don't", "\"", "\"\"", "'", "''", "*", "**", "a*b*", "AND", "OR NOT", "NEAR(", "NEAR(a b", "(", ")", "col:x",
        "content:secret", "-", "^start", "+", "{a b}", "\\", "%", "_", "'; DROP TABLE events; --", "😀", "  ", "",
        "\"unterminated", "mixed \"quo\"tes\" here", "x OR", "a AND AND b", "ünïcödé", "\u{0}",
    ]

    @Test("awkward user input never makes the search fail", arguments: AuditBackend.allCases)
    func awkwardInputNeverErrors(backend: AuditBackend) async throws {
        // One store for all inputs: a database per input would test the setup 33 times, not the search.
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        try await store.record(makeEvent(prompt: "I don't know what col:x means AND why (brackets) matter"))

        for input in Self.awkwardInputs {
            await #expect(throws: Never.self, "input \(input.debugDescription)") {
                _ = try await store.search(input)
                _ = try await store.statistics(matching: AuditQuery(text: input))
            }
        }
    }

    @Test("words match as text: apostrophes, operators and prefixes", arguments: AuditBackend.allCases)
    func matching(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let apostrophe = makeEvent(prompt: "I don't want to go", response: nil)
        let operators = makeEvent(prompt: "cats AND dogs NEAR the river")
        let accents = makeEvent(prompt: "Crème brûlée recipe", response: "Use a blowtorch carefully.")
        try await store.record(batch: [apostrophe, operators, accents])

        func ids(_ text: String) async throws -> Set<UUID> { Set(try await store.search(text).events.map(\.id)) }
        #expect(try await ids("don't") == [apostrophe.id])
        #expect(try await ids("DON'T WANT") == [apostrophe.id])
        #expect(try await ids("AND") == [operators.id])
        #expect(try await ids("NEAR river") == [operators.id])
        #expect(try await ids("creme brulee") == [accents.id])
        #expect(try await ids("blowtor*") == [accents.id])
        #expect(try await ids("blowtor") == [])
        #expect(try await ids("cats want") == [])
        #expect(try await ids("\"") == [])

        let hit = try #require(try await store.search("river").events.first)
        #expect(hit.snippet?.contains("[river]") == true)
    }

    @Test("hashed or unstored text is not searchable, and a search combines with filters", arguments: AuditBackend.allCases)
    func searchRespectsStorageAndFilters(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let full = makeEvent(prompt: "purple elephant", decision: .block)
        let allowed = makeEvent(prompt: "purple elephant", decision: .allow)
        let hashed = makeEvent(prompt: "purple elephant", decision: .block, storage: .hash)
        let unstored = makeEvent(prompt: "purple elephant", decision: .block, storage: .none)
        try await store.record(batch: [full, allowed, hashed, unstored])

        #expect(Set(try await store.search("elephant").events.map(\.id)) == [full.id, allowed.id])
        #expect(try await store.search("elephant", matching: AuditQuery(decision: .block)).events.map(\.id) == [full.id])
        #expect(try await store.statistics(matching: AuditQuery(text: "elephant")).total == 2)
        #expect(try await store.consistencyProblems() == [])
    }

    @Test("the pattern quotes every word and keeps a trailing star as a prefix")
    func patternShape() {
        #expect(FullTextPattern.make("don't stop") == "\"don't\" \"stop\"")
        #expect(FullTextPattern.make("say \"hi\"") == "\"say\" \"\"\"hi\"\"\"")
        #expect(FullTextPattern.make("pre*") == "\"pre\" *")
        #expect(FullTextPattern.make("\" * -- ()") == nil)
    }
}
