import Foundation
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit store: recording, redaction and queries")
struct AuditStoreTests {
    @Test("an event reads back as recorded, scores and violations included", arguments: AuditBackend.allCases)
    func roundTrip(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let time = Date(timeIntervalSince1970: 1_700_000_000.25)
        let event = makeEvent(
            time: time, direction: .output, prompt: "how to build it", response: "like this", decision: .block,
            violations: [violation("violent_crimes", code: "S1"), violation("jailbreak", code: nil, decision: .review)],
            scores: ["unsafe": 0.97, "violent_crimes": 0.9, "jailbreak": 0.6])

        try await store.record(event)

        let detail = try #require(try await store.event(id: event.id))
        #expect(detail.event == event)
        #expect(detail.reviews.isEmpty)
    }

    @Test("what produced a verdict is stored and listed, unknown for events that lack it", arguments: AuditBackend.allCases)
    func verdictSource(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let sources: [VerdictSource?] = [.model, .screen, .classifierFailure, nil]
        var ids: [UUID: VerdictSource?] = [:]
        for (offset, source) in sources.enumerated() {
            let event = makeEvent(time: Date(timeIntervalSince1970: 1_700_000_000 + Double(offset)), decision: .block, source: source)
            try await database.store.record(event)
            ids[event.id] = source
            #expect(try await database.store.event(id: event.id)?.event.source == source)
        }
        let listed = try await database.store.events(matching: AuditQuery())
        #expect(listed.events.count == sources.count)
        for summary in listed.events { #expect(ids[summary.id] == summary.source, "\(summary.id)") }
    }

    @Test("recording the same id twice keeps one event", arguments: AuditBackend.allCases)
    func duplicateIDsAreIdempotent(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let event = makeEvent()

        try await store.record(batch: [event, event])
        try await store.record(event)

        #expect(try await store.count() == 1)
        #expect(try await store.event(id: event.id)?.event.messages.count == 1)
    }

    @Test("non-finite scores are stored as null and read back as NaN, never failing the batch", arguments: AuditBackend.allCases)
    func nonFiniteScores(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        var event = makeEvent(scores: ["unsafe": .nan, "hate": .infinity, "sane": 0.5])
        event.latencyMilliseconds = .nan

        try await store.record(event)

        let stored = try #require(try await store.event(id: event.id)).event
        #expect(stored.scores["unsafe"]?.isNaN == true)
        #expect(stored.scores["hate"]?.isNaN == true)
        #expect(stored.scores["sane"] == 0.5)
        #expect(stored.latencyMilliseconds.isNaN)
    }

    @Test("redaction keeps text, a SHA-256, or nothing", arguments: TextStorage.allCases)
    func redaction(storage: TextStorage) async throws {
        let messages = AuditRedactor.messages([.user("abc"), .assistant("")], storage: storage)

        switch storage {
        case .full:
            #expect(messages.map(\.content) == ["abc", ""])
            #expect(messages.allSatisfy { $0.contentHash == nil })
        case .hash:
            #expect(messages.allSatisfy { $0.content == nil })
            // Known SHA-256 test vectors ("abc" and the empty string).
            #expect(
                messages.map(\.contentHash) == [
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ])
        case .none:
            #expect(messages.allSatisfy { $0.content == nil && $0.contentHash == nil })
        }
        #expect(messages.map(\.role) == [.user, .assistant])
    }

    @Test("redacting an already hashed event never brings text back")
    func redactionIsOneWay() {
        let hashed = makeEvent(prompt: "secret", storage: .hash)
        #expect(AuditRedactor.redact(hashed, storage: .full) == hashed)
        let hashHash = AuditRedactor.redact(hashed, storage: .hash).messages[0].contentHash
        #expect(hashHash == AuditRedactor.sha256Hex("secret"))
        #expect(AuditRedactor.redact(hashed, storage: .none).messages[0].contentHash == nil)
    }

    @Test("filters select by decision, category id or code, direction, policy, model, flagged, time, score and review state", arguments: AuditBackend.allCases)
    func filters(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let day: TimeInterval = 86_400
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        let allowed = makeEvent(time: base, decision: .allow, scores: ["unsafe": 0.05])
        let hate = makeEvent(
            time: base.addingTimeInterval(day), decision: .block, violations: [violation("hate", code: "S10")],
            scores: ["unsafe": 0.95])
        var crime = makeEvent(
            time: base.addingTimeInterval(2 * day), direction: .output, response: "sure", decision: .review,
            violations: [violation("violent_crimes", code: "S1", decision: .review)], scores: ["unsafe": 0.6],
            policyID: "strict")
        crime.modelID = "model-2"
        try await store.record(batch: [allowed, hate, crime])
        try await store.review(eventID: hate.id, AuditReview(eventID: hate.id, reviewer: "ana", unsafe: true, categories: ["S10"], note: nil))

        func ids(_ query: AuditQuery) async throws -> Set<UUID> {
            Set(try await store.events(matching: query).events.map(\.id))
        }
        #expect(try await ids(AuditQuery()) == [allowed.id, hate.id, crime.id])
        #expect(try await ids(AuditQuery(decision: .block)) == [hate.id])
        #expect(try await ids(AuditQuery(category: "hate")) == [hate.id])
        #expect(try await ids(AuditQuery(category: "s10")) == [hate.id])
        #expect(try await ids(AuditQuery(category: "S1")) == [crime.id])
        #expect(try await ids(AuditQuery(direction: .output)) == [crime.id])
        #expect(try await ids(AuditQuery(policyID: "strict")) == [crime.id])
        #expect(try await ids(AuditQuery(since: base.addingTimeInterval(day))) == [hate.id, crime.id])
        #expect(try await ids(AuditQuery(until: base.addingTimeInterval(day))) == [allowed.id])
        #expect(try await ids(AuditQuery(minimumUnsafeScore: 0.5)) == [hate.id, crime.id])
        #expect(try await ids(AuditQuery(reviewed: true)) == [hate.id])
        #expect(try await ids(AuditQuery(reviewed: false)) == [allowed.id, crime.id])
        #expect(try await ids(AuditQuery(decision: .block, direction: .output)) == [])
        var byModel = AuditQuery()
        byModel.modelID = "model-2"
        #expect(try await ids(byModel) == [crime.id])
        var flagged = AuditQuery()
        flagged.flagged = true
        #expect(try await ids(flagged) == [hate.id, crime.id])
        flagged.flagged = false
        #expect(try await ids(flagged) == [allowed.id])

        let newestFirst = try await store.events(matching: AuditQuery()).events
        #expect(newestFirst.map(\.id) == [crime.id, hate.id, allowed.id])
        let hateSummary = try #require(newestFirst.first { $0.id == hate.id })
        #expect(hateSummary.codes == ["S10"])
        #expect(hateSummary.categories == ["hate"])
        #expect(hateSummary.reviewCount == 1)
        #expect(hateSummary.reviewedUnsafe == true)
    }

    @Test("cursor pages cover every event once, newest first, including events with equal times", arguments: AuditBackend.allCases)
    func cursorPagination(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let sameTime = Date(timeIntervalSince1970: 1_700_000_000)
        let events = (0..<23).map { index in
            makeEvent(time: index < 10 ? sameTime : sameTime.addingTimeInterval(Double(index)))
        }
        try await store.record(batch: events)

        var seen: [UUID] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await store.events(matching: AuditQuery(limit: 5, cursor: cursor))
            seen += page.events.map(\.id)
            cursor = page.nextCursor
            pages += 1
        } while cursor != nil && pages < 100

        #expect(pages == 5)
        #expect(seen.count == 23)
        #expect(Set(seen) == Set(events.map(\.id)))
        let byOffset = try await store.events(matching: AuditQuery(limit: 5, offset: 5)).events.map(\.id)
        #expect(byOffset == Array(seen[5..<10]))
        await #expect(throws: AuditError.self) { try await store.events(matching: AuditQuery(cursor: "nonsense")) }
    }

    @Test("statistics count per decision, category and UTC day", arguments: AuditBackend.allCases)
    func statistics(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let day1 = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14 22:13 UTC
        let day2 = day1.addingTimeInterval(86_400)
        try await store.record(batch: [
            makeEvent(time: day1, decision: .allow),
            makeEvent(time: day1, decision: .block, violations: [violation("hate", code: "S10"), violation("violent_crimes", code: "S1")]),
            makeEvent(time: day2, decision: .block, violations: [violation("hate", code: "S10")]),
            makeEvent(time: day2, decision: .review, violations: [violation("jailbreak", code: nil, decision: .review)]),
        ])

        let statistics = try await store.statistics()

        #expect(statistics.total == 4)
        #expect(statistics.reviewed == 0)
        #expect(statistics.byDecision.map(\.count) == [1, 1, 2])  // allow, review, block
        #expect(statistics.byCategory == [.init(key: "S10", count: 2), .init(key: "S1", count: 1), .init(key: "jailbreak", count: 1)])
        #expect(statistics.byDay == [
            .init(day: "2023-11-14", total: 2, review: 0, block: 1), .init(day: "2023-11-15", total: 2, review: 1, block: 1),
        ])
        #expect(try await store.statistics(matching: AuditQuery(since: day2)).total == 2)
    }

    @Test("prune deletes old events with their messages, violations, reviews and index entries", arguments: AuditBackend.allCases)
    func prune(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let old = makeEvent(time: Date().addingTimeInterval(-40 * 86_400), prompt: "ancient zebra text",
                            violations: [violation("hate", code: "S10")])
        let recent = makeEvent(prompt: "recent zebra text")
        try await store.record(batch: [old, recent])
        try await store.review(eventID: old.id, AuditReview(eventID: old.id, reviewer: "r", unsafe: false, categories: [], note: nil))

        let deleted = try await store.prune(olderThan: Date().addingTimeInterval(-30 * 86_400), chunkSize: 1)

        #expect(deleted == 1)
        #expect(try await store.event(id: old.id) == nil)
        #expect(try await store.search("zebra").events.map(\.id) == [recent.id])
        #expect(try await database.childRowCount() == 1)  // the recent event's one message
        #expect(try await store.consistencyProblems() == [])
    }

    @Test("ids resolve from a unique prefix, and ambiguity is an error", arguments: AuditBackend.allCases)
    func idPrefixes(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let first = UUID(uuidString: "ABCD1234-0000-4000-8000-000000000001")!
        let second = UUID(uuidString: "ABCD1234-0000-4000-8000-000000000002")!
        try await store.record(batch: [makeEvent(id: first), makeEvent(id: second)])

        #expect(try await store.resolveEventID(first.uuidString.lowercased()) == first)
        #expect(try await store.resolveEventID("abcd1234-0000-4000-8000-000000000002") == second)
        await #expect(throws: AuditError.ambiguousEventID("abcd", matches: 2)) { try await store.resolveEventID("abcd") }
        await #expect(throws: AuditError.eventNotFound("ffff")) { try await store.resolveEventID("ffff") }
    }
}
