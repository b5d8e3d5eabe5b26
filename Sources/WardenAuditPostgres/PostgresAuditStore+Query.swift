import Foundation
import PostgresNIO
import WardenAudit
import WardenCore

extension PostgresAuditStore {
    /// Events matching `query`, newest first; searches carry a snippet of the first matching message.
    public func events(matching query: AuditQuery) async throws -> AuditPage {
        var binds = PostgresBindings()
        let filter = try PostgresAuditFilter(query, binds: &binds)
        guard filter.canMatch else { return AuditPage(events: [], nextCursor: nil) }
        let limit = min(max(query.limit, 1), AuditQuery.maximumLimit)
        var snippetSource = "NULL"
        if let tsquery = filter.tsquery {
            binds.append(tsquery)
            snippetSource = """
                (SELECT m.content FROM messages m WHERE m.event_seq = e.seq AND m.search @@ $\(binds.count)::tsquery
                 ORDER BY m.position LIMIT 1)
                """
        }
        binds.append(limit + 1)
        let limitParameter = binds.count
        binds.append(max(0, query.offset))
        // The page is chosen first and the per-event columns are computed for its rows only.
        let sql = """
            SELECT e.seq, e.id, e."time", e.direction, e.decision, e.reason, e.policy_id, e.model_id, e.latency_ms,
                   e.caller, e.unsafe_score, e.source,
                   (SELECT string_agg(v.category, chr(31) ORDER BY v.position) FROM violations v WHERE v.event_seq = e.seq)
                       AS categories,
                   (SELECT string_agg(v.code, chr(31) ORDER BY v.position) FROM violations v WHERE v.event_seq = e.seq)
                       AS codes,
                   (SELECT count(*) FROM reviews r WHERE r.event_seq = e.seq) AS review_count,
                   (SELECT r.unsafe FROM reviews r WHERE r.event_seq = e.seq ORDER BY r."time" DESC, r.id DESC LIMIT 1)
                       AS reviewed_unsafe,
                   \(snippetSource) AS snippet_source
            FROM (
                SELECT e.* FROM events e \(filter.sql)
                ORDER BY e."time" DESC, e.seq DESC LIMIT $\(limitParameter) OFFSET $\(binds.count)
            ) e
            ORDER BY e."time" DESC, e.seq DESC
            """
        let rows = try await rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        let events = try rows.prefix(limit).map { try Self.summary($0, terms: filter.terms) }
        var next: String?
        if rows.count > limit, let last = rows.prefix(limit).last {
            next = AuditCursor(time: try last.decode("time"), seq: try last.decode("seq")).token
        }
        return AuditPage(events: events, nextCursor: next)
    }

    /// The event with `id`, its messages, scores, violations and reviews; `nil` when absent.
    public func event(id: UUID) async throws -> AuditEventDetail? {
        try await details(ids: [id]).first
    }

    /// Resolves a full id or a unique prefix of one (at least 4 hex digits): a range scan of the id index.
    public func resolveEventID(_ text: String) async throws -> UUID {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let id = UUID(uuidString: trimmed) { return id }
        let hex = trimmed.lowercased().filter { $0 != "-" }
        guard hex.count >= 4, hex.count < 32, hex.allSatisfy(\.isHexDigit) else { throw AuditError.eventNotFound(text) }
        func uuid(_ padding: Character) -> UUID {
            let digits = Array(hex + String(repeating: padding, count: 32 - hex.count))
            let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(digits[$0]) }
            return UUID(uuidString: groups.joined(separator: "-"))!
        }
        let matches = try await rows("SELECT id FROM events WHERE id BETWEEN \(uuid("0")) AND \(uuid("f")) LIMIT 2")
            .map { try $0.decode("id", as: UUID.self) }
        guard let first = matches.first else { throw AuditError.eventNotFound(text) }
        guard matches.count == 1 else { throw AuditError.ambiguousEventID(text, matches: matches.count) }
        return first
    }

    /// Counts per decision, category and UTC day of the events `query` selects (limit and cursor ignored).
    public func statistics(matching query: AuditQuery) async throws -> AuditStatistics {
        var binds = PostgresBindings()
        let filter = try PostgresAuditFilter(query, includeCursor: false, binds: &binds)
        let emptyDecisions = Decision.allCases.map { AuditStatistics.Count(key: $0.rawValue, count: 0) }
        guard filter.canMatch else {
            return AuditStatistics(total: 0, reviewed: 0, byDecision: emptyDecisions, byCategory: [], byDay: [])
        }
        let whereSQL = filter.sql
        let totals = try await rows(PostgresQuery(unsafeSQL: """
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)) AS reviewed
            FROM events e \(whereSQL)
            """, binds: binds)).first
        var decisions = Dictionary(uniqueKeysWithValues: Decision.allCases.map { ($0.rawValue, 0) })
        for row in try await rows(PostgresQuery(
            unsafeSQL: "SELECT e.decision, count(*) AS n FROM events e \(whereSQL) GROUP BY e.decision", binds: binds))
        {
            decisions[try row.decode("decision", as: String.self)] = try row.decode("n", as: Int.self)
        }
        let categories = try await rows(PostgresQuery(unsafeSQL: """
            SELECT coalesce(v.code, v.category) AS key, count(DISTINCT v.event_seq) AS n
            FROM violations v JOIN events e ON e.seq = v.event_seq \(whereSQL)
            GROUP BY coalesce(v.code, v.category) ORDER BY n DESC, coalesce(v.code, v.category) COLLATE "C"
            """, binds: binds)).map { AuditStatistics.Count(key: try $0.decode("key"), count: try $0.decode("n")) }
        let days = try await rows(PostgresQuery(unsafeSQL: """
            SELECT to_char(to_timestamp(e."time") AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS total,
                   count(*) FILTER (WHERE e.decision = 'review') AS review,
                   count(*) FILTER (WHERE e.decision = 'block') AS block
            FROM events e \(whereSQL) GROUP BY day ORDER BY day
            """, binds: binds)).map {
                AuditStatistics.Day(day: try $0.decode("day"), total: try $0.decode("total"), review: try $0.decode("review"), block: try $0.decode("block"))
            }
        return AuditStatistics(
            total: try totals?.decode("total", as: Int.self) ?? 0, reviewed: try totals?.decode("reviewed", as: Int.self) ?? 0,
            byDecision: Decision.allCases.map { .init(key: $0.rawValue, count: decisions[$0.rawValue] ?? 0) },
            byCategory: categories, byDay: days)
    }

    // MARK: - Row decoding

    static func summary(_ row: PostgresRow, terms: [PostgresTextSearch.Term]) throws -> AuditEventSummary {
        let source: String? = try row.decode("snippet_source")
        return AuditEventSummary(
            id: try row.decode("id"), time: Date(timeIntervalSince1970: try row.decode("time")),
            direction: try enumValue(try row.decode("direction")), decision: try enumValue(try row.decode("decision")),
            reason: try row.decode("reason"), policyID: try row.decode("policy_id"), modelID: try row.decode("model_id"),
            latencyMilliseconds: try row.decode("latency_ms", as: Double?.self) ?? .nan, caller: try row.decode("caller"),
            unsafeScore: try row.decode("unsafe_score"), categories: AuditRowText.split(try row.decode("categories")),
            codes: AuditRowText.unique(AuditRowText.split(try row.decode("codes"))), reviewCount: try row.decode("review_count"),
            reviewedUnsafe: try row.decode("reviewed_unsafe"),
            snippet: source.map { PostgresTextSearch.snippet($0, terms: terms) },
            source: AuditRowText.source(try row.decode("source")))
    }

    /// The details of `ids` (absent ones left out), in the order of `ids`: four queries whatever their number.
    func details(ids: [UUID]) async throws -> [AuditEventDetail] {
        guard !ids.isEmpty else { return [] }
        let eventRows = try await rows("SELECT e.*, e.scores::text AS scores_text FROM events e WHERE e.id = ANY(\(ids))")
        var bySeq: [Int64: (row: PostgresRow, messages: [AuditMessage], violations: [Violation], reviews: [AuditReview])] = [:]
        var idBySeq: [Int64: UUID] = [:]
        for row in eventRows {
            let seq: Int64 = try row.decode("seq")
            bySeq[seq] = (row, [], [], [])
            idBySeq[seq] = try row.decode("id")
        }
        let seqs = Array(bySeq.keys)
        guard !seqs.isEmpty else { return [] }
        for row in try await rows("SELECT * FROM messages WHERE event_seq = ANY(\(seqs)) ORDER BY event_seq, position") {
            let message = AuditMessage(
                role: try Self.enumValue(try row.decode("role")), content: try row.decode("content"), contentHash: try row.decode("content_hash"))
            bySeq[try row.decode("event_seq")]?.messages.append(message)
        }
        for row in try await rows("SELECT * FROM violations WHERE event_seq = ANY(\(seqs)) ORDER BY event_seq, position") {
            let violation = Violation(
                category: HazardID(try row.decode("category", as: String.self)), code: try row.decode("code"),
                score: try row.decode("score", as: Double?.self) ?? .nan, threshold: try row.decode("threshold", as: Double?.self) ?? .nan,
                decision: try Self.enumValue(try row.decode("decision")), rule: try row.decode("rule"))
            bySeq[try row.decode("event_seq")]?.violations.append(violation)
        }
        for row in try await rows("""
            SELECT *, categories::text AS categories_text FROM reviews WHERE event_seq = ANY(\(seqs)) ORDER BY event_seq, "time", id
            """)
        {
            let seq: Int64 = try row.decode("event_seq")
            guard let eventID = idBySeq[seq] else { continue }
            let categoriesJSON: String = try row.decode("categories_text")
            let review = AuditReview(
                eventID: eventID, reviewer: try row.decode("reviewer"), unsafe: try row.decode("unsafe"),
                categories: (try? JSONDecoder().decode([String].self, from: Data(categoriesJSON.utf8))) ?? [],
                note: try row.decode("note"), time: Date(timeIntervalSince1970: try row.decode("time")))
            bySeq[seq]?.reviews.append(review)
        }
        var byID: [UUID: AuditEventDetail] = [:]
        for (seq, parts) in bySeq {
            let row = parts.row
            let event = AuditEvent(
                id: idBySeq[seq]!, time: Date(timeIntervalSince1970: try row.decode("time")),
                direction: try Self.enumValue(try row.decode("direction")), messages: parts.messages,
                scores: ScoresJSON.decode(try row.decode("scores_text")), decision: try Self.enumValue(try row.decode("decision")),
                violations: parts.violations, reason: try row.decode("reason"), policyID: try row.decode("policy_id"),
                policyHash: try row.decode("policy_hash"), modelID: try row.decode("model_id"),
                latencyMilliseconds: try row.decode("latency_ms", as: Double?.self) ?? .nan, caller: try row.decode("caller"),
                source: AuditRowText.source(try row.decode("source")))
            byID[event.id] = AuditEventDetail(event: event, reviews: parts.reviews)
        }
        return ids.compactMap { byID[$0] }
    }

    static func enumValue<T: RawRepresentable>(_ text: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw AuditError.invalidQuery("the audit log holds an unknown \(T.self) value \(text)")
        }
        return value
    }
}
