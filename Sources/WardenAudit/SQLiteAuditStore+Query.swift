import Foundation
import GRDB
import WardenCore

extension SQLiteAuditStore {
    /// Events matching `query`, newest first.
    ///
    /// - Throws: ``AuditError/invalidQuery(_:)`` for a cursor this log did not hand out; database errors.
    public func events(matching query: AuditQuery) async throws -> AuditPage {
        let filter = try AuditFilter(query)
        guard filter.canMatch else { return AuditPage(events: [], nextCursor: nil) }
        let limit = min(max(query.limit, 1), AuditQuery.maximumLimit)
        let pattern = query.text.flatMap(FullTextPattern.make)
        return try await read { db in
            // The page is chosen first and the per-event columns are computed for its rows only: when
            // the page needs a sort (text searches), SQLite would otherwise compute them for every match.
            // Arguments in text order: the snippet's pattern (outer select list), then the page's filter.
            var arguments = StatementArguments()
            var snippetColumn = "NULL"
            if let pattern {
                snippetColumn = """
                    (SELECT snippet(messages_fts, 0, '[', ']', '…', 12) FROM messages_fts f
                     WHERE messages_fts MATCH ? AND f.rowid IN (SELECT id FROM messages m WHERE m.event_seq = e.seq)
                     LIMIT 1)
                    """
                arguments += [pattern]
            }
            arguments += filter.arguments
            arguments += [limit + 1, max(0, query.offset)]
            let sql = """
                SELECT e.*,
                       (SELECT group_concat(v.category, char(31)) FROM violations v WHERE v.event_seq = e.seq) AS categories,
                       (SELECT group_concat(v.code, char(31)) FROM violations v WHERE v.event_seq = e.seq) AS codes,
                       (SELECT count(*) FROM reviews r WHERE r.event_seq = e.seq) AS review_count,
                       (SELECT r.unsafe FROM reviews r WHERE r.event_seq = e.seq ORDER BY r.time DESC, r.id DESC LIMIT 1)
                           AS reviewed_unsafe,
                       \(snippetColumn) AS snippet
                FROM (
                    SELECT e.seq, e.id, e.time, e.direction, e.decision, e.reason, e.policy_id, e.model_id,
                           e.latency_ms, e.caller, e.unsafe_score, e.source
                    FROM events e \(filter.sql)
                    ORDER BY e.time DESC, e.seq DESC LIMIT ? OFFSET ?
                ) e
                ORDER BY e.time DESC, e.seq DESC
                """
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            let events = try rows.prefix(limit).map(Self.summary)
            var next: String?
            if rows.count > limit, let last = rows.prefix(limit).last {
                next = AuditCursor(time: last["time"], seq: last["seq"]).token
            }
            return AuditPage(events: events, nextCursor: next)
        }
    }

    /// The event with `id`, its messages, scores, violations and reviews; `nil` when absent.
    public func event(id: UUID) async throws -> AuditEventDetail? {
        try await read { db in try Self.detail(id: id.uuidString, in: db) }
    }

    /// Resolves a full id or a unique prefix of one (at least 4 characters), as the CLI accepts.
    ///
    /// - Throws: ``AuditError/eventNotFound(_:)`` or ``AuditError/ambiguousEventID(_:matches:)``.
    public func resolveEventID(_ text: String) async throws -> UUID {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let id = UUID(uuidString: trimmed) { return id }
        let prefix = trimmed.uppercased()
        guard prefix.count >= 4, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw AuditError.eventNotFound(text)
        }
        let matches = try await read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM events WHERE id >= ? AND id < ? LIMIT 2", arguments: [prefix, prefix + "~"])
        }
        guard let first = matches.first, let id = UUID(uuidString: first) else { throw AuditError.eventNotFound(text) }
        guard matches.count == 1 else { throw AuditError.ambiguousEventID(text, matches: matches.count) }
        return id
    }

    /// Counts per decision, category and UTC day of the events `query` selects (limit and cursor ignored).
    public func statistics(matching query: AuditQuery) async throws -> AuditStatistics {
        let filter = try AuditFilter(query, includeCursor: false)
        guard filter.canMatch else {
            return AuditStatistics(
                total: 0, reviewed: 0, byDecision: Decision.allCases.map { .init(key: $0.rawValue, count: 0) },
                byCategory: [], byDay: [])
        }
        return try await read { db in
            let whereSQL = filter.sql
            let args = filter.arguments
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM events e \(whereSQL)", arguments: args) ?? 0
            let reviewedClause = (filter.clauses + ["EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)"])
                .joined(separator: " AND ")
            let reviewed = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM events e WHERE \(reviewedClause)", arguments: args) ?? 0
            var decisions = Dictionary(uniqueKeysWithValues: Decision.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(
                db, sql: "SELECT e.decision, count(*) AS n FROM events e \(whereSQL) GROUP BY e.decision", arguments: args)
            {
                decisions[row["decision"]] = row["n"]
            }
            let categories = try Row.fetchAll(
                db,
                sql: """
                    SELECT coalesce(v.code, v.category) AS key, count(DISTINCT v.event_seq) AS n
                    FROM violations v JOIN events e ON e.seq = v.event_seq \(whereSQL)
                    GROUP BY key ORDER BY n DESC, key
                    """, arguments: args
            ).map { AuditStatistics.Count(key: $0["key"], count: $0["n"]) }
            let days = try Row.fetchAll(
                db,
                sql: """
                    SELECT date(e.time, 'unixepoch') AS day, count(*) AS total,
                           sum(e.decision = 'review') AS review, sum(e.decision = 'block') AS block
                    FROM events e \(whereSQL) GROUP BY day ORDER BY day
                    """, arguments: args
            ).map { AuditStatistics.Day(day: $0["day"], total: $0["total"], review: $0["review"], block: $0["block"]) }
            return AuditStatistics(
                total: total, reviewed: reviewed,
                byDecision: Decision.allCases.map { .init(key: $0.rawValue, count: decisions[$0.rawValue] ?? 0) },
                byCategory: categories, byDay: days)
        }
    }

    // MARK: - Row decoding

    static func summary(_ row: Row) throws -> AuditEventSummary {
        let reviewedUnsafe: Int? = row["reviewed_unsafe"]
        return AuditEventSummary(
            id: try uuid(row["id"]), time: Date(timeIntervalSince1970: row["time"]),
            direction: try enumValue(row["direction"]), decision: try enumValue(row["decision"]),
            reason: row["reason"], policyID: row["policy_id"], modelID: row["model_id"],
            latencyMilliseconds: row["latency_ms"] ?? .nan, caller: row["caller"], unsafeScore: row["unsafe_score"],
            categories: AuditRowText.split(row["categories"]), codes: AuditRowText.unique(AuditRowText.split(row["codes"])), reviewCount: row["review_count"],
            reviewedUnsafe: reviewedUnsafe.map { $0 != 0 }, snippet: row["snippet"], source: AuditRowText.source(row["source"]))
    }

    static func detail(id: String, in db: Database) throws -> AuditEventDetail? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM events WHERE id = ?", arguments: [id]) else {
            return nil
        }
        let seq: Int64 = row["seq"]
        let eventID = try uuid(row["id"])
        let messages = try Row.fetchAll(
            db, sql: "SELECT * FROM messages WHERE event_seq = ? ORDER BY position", arguments: [seq]
        ).map { AuditMessage(role: try enumValue($0["role"]), content: $0["content"], contentHash: $0["content_hash"]) }
        let violations = try Row.fetchAll(
            db, sql: "SELECT * FROM violations WHERE event_seq = ? ORDER BY position", arguments: [seq]
        ).map {
            Violation(
                category: HazardID($0["category"] as String), code: $0["code"], score: $0["score"] ?? .nan,
                threshold: $0["threshold"] ?? .nan, decision: try enumValue($0["decision"]), rule: $0["rule"])
        }
        let reviews = try Row.fetchAll(
            db, sql: "SELECT * FROM reviews WHERE event_seq = ? ORDER BY time, id", arguments: [seq]
        ).map { review(eventID: eventID, row: $0) }
        let event = AuditEvent(
            id: eventID, time: Date(timeIntervalSince1970: row["time"]), direction: try enumValue(row["direction"]),
            messages: messages, scores: ScoresJSON.decode(row["scores"]), decision: try enumValue(row["decision"]),
            violations: violations, reason: row["reason"], policyID: row["policy_id"], policyHash: row["policy_hash"],
            modelID: row["model_id"], latencyMilliseconds: row["latency_ms"] ?? .nan, caller: row["caller"],
            source: AuditRowText.source(row["source"]))
        return AuditEventDetail(event: event, reviews: reviews)
    }

    static func review(eventID: UUID, row: Row) -> AuditReview {
        let categories = (row["categories"] as String?).flatMap { $0.data(using: .utf8) }
            .flatMap { try? JSONDecoder().decode([String].self, from: $0) } ?? []
        return AuditReview(
            eventID: eventID, reviewer: row["reviewer"], unsafe: (row["unsafe"] as Int) != 0, categories: categories,
            note: row["note"], time: Date(timeIntervalSince1970: row["time"]))
    }

    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw AuditError.invalidQuery("the events table holds an id that is not a UUID: \(text)")
        }
        return id
    }

    static func enumValue<T: RawRepresentable>(_ text: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw AuditError.invalidQuery("the audit log holds an unknown \(T.self) value \(text)")
        }
        return value
    }
}
