import Foundation
import WardenAudit
import WardenCore

/// A batch of events as one JSON parameter, inserted by one statement: events, then their messages and violations
/// keyed by the `seq` each event got. One round trip per batch instead of one per row is what lets a single
/// writer keep up with many replicas' worth of events.
enum PostgresEventRows {
    struct Event: Encodable {
        var ord: Int
        var id: String
        var time: Double
        var direction: String
        var decision: String
        var reason: String
        var policy_id: String
        var policy_hash: String
        var model_id: String
        var latency_ms: Double?
        var caller: String?
        var scores: String
        var unsafe_score: Double?
        var source: String?
        var messages: [Message]
        var violations: [Violation]
    }

    struct Message: Encodable {
        var position: Int
        var role: String
        var content: String?
        var content_hash: String?
        var search: String?
    }

    struct Violation: Encodable {
        var position: Int
        var category: String
        var code: String?
        var score: Double?
        var threshold: Double?
        var decision: String
        var rule: String
    }

    static func json(_ events: [AuditEvent]) throws -> String {
        let rows = events.enumerated().map { ord, event in
            Event(
                ord: ord, id: event.id.uuidString, time: event.time.timeIntervalSince1970, direction: event.direction.rawValue,
                decision: event.decision.rawValue, reason: PostgresText.clean(event.reason),
                policy_id: PostgresText.clean(event.policyID), policy_hash: PostgresText.clean(event.policyHash),
                model_id: PostgresText.clean(event.modelID), latency_ms: finite(event.latencyMilliseconds),
                caller: PostgresText.clean(event.caller), scores: ScoresJSON.encode(event.scores),
                unsafe_score: finite(event.scores[LabelScores.unsafeLabel]), source: event.source?.rawValue,
                messages: event.messages.enumerated().map { position, message in
                    let content = PostgresText.clean(message.content)
                    return Message(
                        position: position, role: message.role.rawValue, content: content,
                        content_hash: PostgresText.clean(message.contentHash), search: PostgresTextSearch.vector(content))
                },
                violations: event.violations.enumerated().map { position, violation in
                    Violation(
                        position: position, category: PostgresText.clean(violation.category.rawValue),
                        code: PostgresText.clean(violation.code), score: finite(violation.score),
                        threshold: finite(violation.threshold), decision: violation.decision.rawValue,
                        rule: PostgresText.clean(violation.rule))
                })
        }
        return String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
    }

    /// Non-finite numbers are stored as NULL, as in the SQLite store (JSON has no NaN either).
    private static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// Duplicate ids in one batch keep the first; ids already recorded are skipped (`ON CONFLICT DO NOTHING`), and
    /// only the events inserted now get messages and violations.
    static let insertSQL = """
        WITH input AS (
            SELECT DISTINCT ON (x.id) x.*
            FROM json_to_recordset($1::json) AS x(
                ord integer, id uuid, "time" double precision, direction text, decision text, reason text, policy_id text,
                policy_hash text, model_id text, latency_ms double precision, caller text, scores text,
                unsafe_score double precision, source text, messages json, violations json)
            ORDER BY x.id, x.ord
        ), inserted AS (
            INSERT INTO events (id, "time", direction, decision, reason, policy_id, policy_hash, model_id, latency_ms, caller,
                                scores, unsafe_score, source)
            SELECT id, "time", direction, decision, reason, policy_id, policy_hash, model_id, latency_ms, caller,
                   scores::jsonb, unsafe_score, source
            FROM input ORDER BY ord
            ON CONFLICT (id) DO NOTHING
            RETURNING seq, id
        ), message_rows AS (
            INSERT INTO messages (event_seq, position, role, content, content_hash, search)
            SELECT i.seq, m.position, m.role, m.content, m.content_hash, m.search::tsvector
            FROM inserted i JOIN input x ON x.id = i.id
            CROSS JOIN LATERAL json_to_recordset(x.messages) AS m(
                position integer, role text, content text, content_hash text, search text)
            RETURNING 1
        ), violation_rows AS (
            INSERT INTO violations (event_seq, position, category, code, score, threshold, decision, rule)
            SELECT i.seq, v.position, v.category, v.code, v.score, v.threshold, v.decision, v.rule
            FROM inserted i JOIN input x ON x.id = i.id
            CROSS JOIN LATERAL json_to_recordset(x.violations) AS v(
                position integer, category text, code text, score double precision, threshold double precision,
                decision text, rule text)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM inserted) AS events, (SELECT count(*) FROM message_rows) AS messages,
               (SELECT count(*) FROM violation_rows) AS violations
        """
}
