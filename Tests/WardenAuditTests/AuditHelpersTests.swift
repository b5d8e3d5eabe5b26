import Foundation
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit helpers: locations, times, score JSON, text views")
struct AuditHelpersTests {
    @Test("the database path comes from WARDEN_AUDIT_DB, then WARDEN_HOME, then ~/.cache/warden")
    func defaultPath() {
        #expect(AuditDatabaseLocation.defaultPath(environment: ["WARDEN_AUDIT_DB": "/x/a.db", "WARDEN_HOME": "/h"]) == "/x/a.db")
        #expect(AuditDatabaseLocation.defaultPath(environment: ["WARDEN_HOME": "/h", "HOME": "/u"]) == "/h/audit.sqlite")
        #expect(AuditDatabaseLocation.defaultPath(environment: ["HOME": "/u"]) == "/u/.cache/warden/audit.sqlite")
    }

    @Test("ages and dates parse; anything else is rejected")
    func times() throws {
        #expect(AuditTimeParsing.duration("30d") == 30.0 * 86_400)
        #expect(AuditTimeParsing.duration("12h") == 12.0 * 3_600)
        #expect(AuditTimeParsing.duration("2w") == 14.0 * 86_400)
        #expect(AuditTimeParsing.duration("30x") == nil)
        #expect(AuditTimeParsing.duration("d") == nil)
        #expect(AuditTimeParsing.duration("-1d") == nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(AuditTimeParsing.date("1d", now: now) == now.addingTimeInterval(-86_400))
        #expect(AuditTimeParsing.date("2023-11-14")?.timeIntervalSince1970 == 1_699_920_000)
        #expect(AuditTimeParsing.date("2023-11-14T22:13:20Z")?.timeIntervalSince1970 == 1_700_000_000)
        #expect(AuditTimeParsing.date("yesterday") == nil)
    }

    @Test("score JSON escapes label names and round-trips through a JSON parser")
    func scoresJSON() throws {
        let scores = ["plain": 0.25, "quote\"back\\slash": 1, "tab\tnew\nline": 0, "ctl\u{1}": 0.5, "ünï": 1e-7]
        let json = ScoresJSON.encode(scores)
        #expect(ScoresJSON.decode(json) == scores)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Double]
        #expect(parsed == scores)
        #expect(ScoresJSON.encode(["b": 1, "a": 0.5]) == #"{"a":0.5,"b":1.0}"#)
    }

    @Test("the listing and detail views show what a reviewer needs")
    func textViews() throws {
        let event = makeEvent(
            time: Date(timeIntervalSince1970: 1_700_000_000), prompt: "line one\nline two", decision: .block,
            violations: [violation("hate", code: "S10")], scores: ["unsafe": 0.875, "hate": 0.8])
        let summary = AuditEventSummary(
            id: event.id, time: event.time, direction: .input, decision: .block, reason: "hate 0.80 >= 0.5",
            policyID: "default", modelID: "m", latencyMilliseconds: 1, caller: nil, unsafeScore: 0.875,
            categories: ["hate"], codes: ["S10"], reviewCount: 2, reviewedUnsafe: false, snippet: "a [match]", source: .model)
        let table = AuditTextFormatter.table(AuditPage(events: [summary], nextCursor: "abc-1"))
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("TIME (UTC)"))
        #expect(lines[1].contains("2023-11-14 22:13:20"))
        #expect(lines[1].contains("block") && lines[1].contains("0.875") && lines[1].contains("S10"))
        #expect(lines[1].contains("safe (2)"))
        #expect(lines[2] == "    a [match]")
        #expect(lines[3] == "More: --cursor abc-1")

        let review = AuditReview(eventID: event.id, reviewer: "ana", unsafe: true, categories: ["S10"], note: "slur")
        let detail = AuditTextFormatter.detail(AuditEventDetail(event: event, reviews: [review]))
        #expect(detail.contains("[0] user: line one\n      line two"))
        #expect(detail.contains("hate      S10   0.900  0.500      block     input[0]"))
        #expect(detail.contains("unsafe  0.875\n  hate    0.800"))
        #expect(detail.contains("ana unsafe S10: slur"))
        let hashed = AuditTextFormatter.detail(AuditEventDetail(event: makeEvent(prompt: "x", storage: .hash), reviews: []))
        #expect(hashed.contains("(text not stored; sha256 \(AuditRedactor.sha256Hex("x")))"))
        #expect(hashed.contains("(none)"))
    }
}
