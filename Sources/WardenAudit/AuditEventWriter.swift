import Foundation
import GRDB
import WardenCore

/// Inserts events with prepared statements. Shared by the store, the batched writer and the loader.
enum AuditEventWriter {
    static let insertEvent = """
        INSERT INTO events (id, time, direction, decision, reason, policy_id, policy_hash, model_id,
                            latency_ms, caller, scores, unsafe_score, source)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(id) DO NOTHING
        """
    static let insertMessage = """
        INSERT INTO messages (event_seq, position, role, content, content_hash) VALUES (?, ?, ?, ?, ?)
        """
    static let insertViolation = """
        INSERT INTO violations (event_seq, position, category, code, score, threshold, decision, rule)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts `events` in the current transaction. An id already present is skipped, so that a
    /// batch retried after an uncertain commit never fails on its own earlier write.
    static func insert(_ events: [AuditEvent], into db: Database) throws {
        let eventStatement = try db.cachedStatement(sql: insertEvent)
        let messageStatement = try db.cachedStatement(sql: insertMessage)
        let violationStatement = try db.cachedStatement(sql: insertViolation)
        for event in events {
            try eventStatement.execute(arguments: [
                event.id.uuidString, event.time.timeIntervalSince1970, event.direction.rawValue,
                event.decision.rawValue, event.reason, event.policyID, event.policyHash, event.modelID,
                finite(event.latencyMilliseconds), event.caller, ScoresJSON.encode(event.scores),
                finite(event.scores[LabelScores.unsafeLabel]), event.source?.rawValue,
            ])
            guard db.changesCount == 1 else { continue }
            let seq = db.lastInsertedRowID
            for (position, message) in event.messages.enumerated() {
                try messageStatement.execute(arguments: [
                    seq, position, message.role.rawValue, message.content, message.contentHash,
                ])
            }
            for (position, violation) in event.violations.enumerated() {
                try violationStatement.execute(arguments: [
                    seq, position, violation.category.rawValue, violation.code, finite(violation.score),
                    finite(violation.threshold), violation.decision.rawValue, violation.rule,
                ])
            }
        }
    }

    /// SQLite stores NaN as NULL; say so explicitly instead of relying on it.
    private static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }
}

/// The `events.scores` column: a JSON object of label to score, keys sorted.
///
/// Written by hand because it runs for every event on the write path; JSONEncoder costs several
/// times more here. Non-finite scores are written as `null` (JSON has no NaN) and read back as NaN.
package enum ScoresJSON {
    package static func encode(_ scores: [String: Double]) -> String {
        var json = "{"
        for (index, key) in scores.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            appendQuoted(key, to: &json)
            json += ":"
            let value = scores[key]!
            json += value.isFinite ? "\(value)" : "null"
        }
        return json + "}"
    }

    package static func decode(_ json: String) -> [String: Double] {
        guard let data = json.data(using: .utf8),
            let values = try? JSONDecoder().decode([String: Double?].self, from: data)
        else { return [:] }
        return values.mapValues { $0 ?? .nan }
    }

    static func appendQuoted(_ string: String, to json: inout String) {
        json += "\""
        // Labels are plain identifiers: append them whole unless something needs escaping.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            json += string
            json += "\""
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
