import Foundation
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit reviews and export")
struct AuditReviewExportTests {
    @Test("reviews are added beside the event and never replace it or each other", arguments: AuditBackend.allCases)
    func reviewsNeverOverwrite(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let event = makeEvent(decision: .block, violations: [violation("hate", code: "S10")])
        try await store.record(event)
        let before = try #require(try await store.event(id: event.id)).event

        let first = AuditReview(
            eventID: event.id, reviewer: "ana", unsafe: false, categories: [], note: "satire",
            time: Date(timeIntervalSince1970: 1_700_000_000))
        let second = AuditReview(
            eventID: event.id, reviewer: "ben", unsafe: true, categories: ["s10", " S1 ", "S10"], note: nil,
            time: Date(timeIntervalSince1970: 1_700_000_100))
        try await store.review(eventID: event.id, first)
        try await store.review(eventID: event.id, second)

        let detail = try #require(try await store.event(id: event.id))
        #expect(detail.event == before)
        #expect(detail.reviews.map(\.reviewer) == ["ana", "ben"])
        #expect(detail.reviews[0] == first)
        #expect(detail.reviews[1].categories == ["S10", "S1"])
        #expect(detail.latestReview?.unsafe == true)
    }

    @Test("reviews of missing events, without a reviewer, or safe with categories are refused", arguments: AuditBackend.allCases)
    func invalidReviews(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let event = makeEvent()
        try await store.record(event)
        let missing = UUID()

        await #expect(throws: AuditError.eventNotFound(missing.uuidString)) {
            try await store.review(eventID: missing, AuditReview(eventID: missing, reviewer: "a", unsafe: true, categories: [], note: nil))
        }
        await #expect(throws: AuditError.self) {
            try await store.review(eventID: event.id, AuditReview(eventID: event.id, reviewer: "  ", unsafe: true, categories: [], note: nil))
        }
        await #expect(throws: AuditError.self) {
            try await store.review(eventID: event.id, AuditReview(eventID: event.id, reviewer: "a", unsafe: false, categories: ["S1"], note: nil))
        }
        #expect(try await store.event(id: event.id)?.reviews.isEmpty == true)
    }

    @Test("the overall label's borrowed code is not a model category in exports, nor a duplicate in listings", arguments: AuditBackend.allCases)
    func overallLabelCode(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        // Only `unsafe` fired; its violation names the likeliest category's code for the Llama Guard line.
        let onlyOverall = makeEvent(prompt: "do the thing", decision: .block, violations: [violation("unsafe", code: "S10")])
        let both = makeEvent(
            time: Date().addingTimeInterval(1), prompt: "other", decision: .block,
            violations: [violation("unsafe", code: "S1"), violation("violent_crimes", code: "S1")])
        try await store.record(batch: [onlyOverall, both])
        try await store.review(eventID: onlyOverall.id, AuditReview(eventID: onlyOverall.id, reviewer: "ana", unsafe: true, categories: ["S10"], note: nil))

        let listed = try await store.events(matching: AuditQuery()).events
        #expect(listed.first { $0.id == both.id }?.codes == ["S1"])

        let export = try await store.reviewedExport()
        let line = try #require(String(decoding: try export.jsonLines(), as: UTF8.self).split(separator: "\n").first)
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["categories"] as? [String] == ["S10"])
        let labels = try #require(object["orig_labels"] as? [String: Any])
        #expect(labels["model_categories"] as? [String] == ["unsafe"])
    }

    @Test("export writes the shared schema; the latest review wins; hashed and unstored text is skipped and counted", arguments: AuditBackend.allCases)
    func exportJSONL(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let store = database.store
        let time = Date(timeIntervalSince1970: 1_700_000_000)
        // The model blocked it as hate; the reviewer says it is violent crime.
        let output = makeEvent(
            time: time, direction: .output, prompt: "tell me", response: "here is how", decision: .block,
            violations: [violation("hate", code: "S10"), violation("violent_crimes", code: "S1")],
            scores: ["unsafe": 0.91])
        // The model blocked it; the reviewer overturns it as safe.
        let input = makeEvent(time: time.addingTimeInterval(1), prompt: "a poem about war", decision: .block,
                              violations: [violation("violent_crimes", code: "S1")])
        let hashed = makeEvent(time: time.addingTimeInterval(2), decision: .block, storage: .hash)
        let unstored = makeEvent(time: time.addingTimeInterval(3), decision: .block, storage: .none)
        let unreviewed = makeEvent(time: time.addingTimeInterval(4))
        try await store.record(batch: [output, input, hashed, unstored, unreviewed])
        try await store.review(eventID: output.id, AuditReview(eventID: output.id, reviewer: "ana", unsafe: false, categories: [], note: nil, time: time))
        try await store.review(eventID: output.id, AuditReview(
            eventID: output.id, reviewer: "ben", unsafe: true, categories: ["violent_crimes", "jailbreak"], note: "how-to",
            time: time.addingTimeInterval(60)))
        try await store.review(eventID: input.id, AuditReview(eventID: input.id, reviewer: "ana", unsafe: false, categories: [], note: nil))
        for id in [hashed.id, unstored.id] {
            try await store.review(eventID: id, AuditReview(eventID: id, reviewer: "ana", unsafe: true, categories: ["S2"], note: nil))
        }

        let export = try await store.reviewedExport()

        #expect(export.records.count == 2)
        #expect(export.skippedWithoutText == 2)
        #expect(export.skippedWithoutPrompt == 0)
        let lines = String(decoding: try export.jsonLines(), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }

        let first = objects[0]
        #expect(Set(first.keys) == ["id", "source", "prompt", "response", "unsafe", "categories", "orig_labels"])
        #expect(first["id"] as? String == "warden-audit-\(output.id.uuidString.lowercased())")
        #expect(first["source"] as? String == "warden-audit")
        #expect(first["prompt"] as? String == "tell me")
        #expect(first["response"] as? String == "here is how")
        #expect(first["unsafe"] as? Bool == true)
        #expect(first["categories"] as? [String] == ["S1", "jailbreak"])
        let labels = try #require(first["orig_labels"] as? [String: Any])
        #expect(labels["model_decision"] as? String == "block")
        #expect(labels["model_categories"] as? [String] == ["S1", "S10"])
        #expect(labels["reviewer"] as? String == "ben")
        #expect(labels["review_count"] as? Int == 2)

        let second = objects[1]
        #expect(Set(second.keys) == ["id", "source", "prompt", "unsafe", "categories", "orig_labels"])
        #expect(second["prompt"] as? String == "a poem about war")
        #expect(second["unsafe"] as? Bool == false)
        #expect(second["categories"] as? [String] == [])

        let decoded = try lines.map { try JSONDecoder().decode(AuditExportRecord.self, from: Data($0.utf8)) }
        #expect(decoded == export.records)
    }
}
