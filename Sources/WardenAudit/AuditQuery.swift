import Foundation
import GRDB
import WardenCore

/// Which events to list, count or search. Unset fields do not filter.
public struct AuditQuery: Sendable, Hashable, Codable {
    public var decision: Decision?
    /// A hazard ID (`violent_crimes`) or Llama Guard code (`S1`) among the event's violations.
    public var category: String?
    public var direction: Direction?
    public var policyID: String?
    /// The model that judged the event (`model_id`).
    public var modelID: String?
    /// `true`: only review and block events (the review queue); `false`: only allow events.
    public var flagged: Bool?
    /// Inclusive lower bound on the event time.
    public var since: Date?
    /// Exclusive upper bound on the event time.
    public var until: Date?
    /// `true`: only events with at least one review; `false`: only events without.
    public var reviewed: Bool?
    /// Minimum overall `unsafe` score.
    public var minimumUnsafeScore: Double?
    /// Full-text search over stored message text. Words must all occur; a word ending in `*` is a
    /// prefix. Any input is accepted: quotes and operators are taken literally.
    public var text: String?
    /// Page size, capped at ``maximumLimit``.
    public var limit: Int
    public var offset: Int
    /// The ``AuditPage/nextCursor`` of the previous page; faster and steadier than `offset` on a live log.
    public var cursor: String?

    public static let maximumLimit = 10_000

    public init(
        decision: Decision? = nil, category: String? = nil, direction: Direction? = nil, policyID: String? = nil,
        since: Date? = nil, until: Date? = nil, reviewed: Bool? = nil, minimumUnsafeScore: Double? = nil,
        text: String? = nil, limit: Int = 50, offset: Int = 0, cursor: String? = nil
    ) {
        self.decision = decision
        self.category = category
        self.direction = direction
        self.policyID = policyID
        self.since = since
        self.until = until
        self.reviewed = reviewed
        self.minimumUnsafeScore = minimumUnsafeScore
        self.text = text
        self.limit = limit
        self.offset = offset
        self.cursor = cursor
    }
}

/// A position in the newest-first order of events: the last event of a page.
package struct AuditCursor: Hashable {
    package var time: Double
    package var seq: Int64

    /// Opaque text form: the time's bit pattern and the sequence number, so no precision is lost.
    package var token: String { String(time.bitPattern, radix: 16) + "-" + String(seq) }

    package init(time: Double, seq: Int64) {
        self.time = time
        self.seq = seq
    }

    package init?(token: String) {
        let parts = token.split(separator: "-")
        guard parts.count == 2, let bits = UInt64(parts[0], radix: 16), let seq = Int64(parts[1]) else { return nil }
        self.init(time: Double(bitPattern: bits), seq: seq)
    }
}

/// The SQL `WHERE` clause of a query over `events e`.
struct AuditFilter {
    var clauses: [String] = []
    var arguments = StatementArguments()
    /// False when the text search cannot match anything (no searchable words).
    var canMatch = true

    init(_ query: AuditQuery, includeCursor: Bool = true) throws {
        if let decision = query.decision { add("e.decision = ?", [decision.rawValue]) }
        if let direction = query.direction { add("e.direction = ?", [direction.rawValue]) }
        if let policyID = query.policyID { add("e.policy_id = ?", [policyID]) }
        if let modelID = query.modelID { add("e.model_id = ?", [modelID]) }
        switch query.flagged {
        case true?: clauses.append("e.decision IN ('review', 'block')")
        case false?: clauses.append("e.decision = 'allow'")
        case nil: break
        }
        if let since = query.since { add("e.time >= ?", [since.timeIntervalSince1970]) }
        if let until = query.until { add("e.time < ?", [until.timeIntervalSince1970]) }
        if let minimum = query.minimumUnsafeScore { add("e.unsafe_score >= ?", [minimum]) }
        if let category = query.category?.trimmingCharacters(in: .whitespaces), !category.isEmpty {
            // Two IN lists rather than one OR so each can use its own index.
            add(
                "(e.seq IN (SELECT event_seq FROM violations WHERE category = ?)"
                    + " OR e.seq IN (SELECT event_seq FROM violations WHERE code = ?))",
                [category, AuditCategories.normalizedCode(category) ?? category])
        }
        switch query.reviewed {
        case true?: clauses.append("EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)")
        case false?: clauses.append("NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)")
        case nil: break
        }
        if let text = query.text {
            if let pattern = FullTextPattern.make(text) {
                add(
                    "e.seq IN (SELECT m.event_seq FROM messages_fts f JOIN messages m ON m.id = f.rowid"
                        + " WHERE messages_fts MATCH ?)", [pattern])
            } else {
                canMatch = false
            }
        }
        if includeCursor, let token = query.cursor {
            guard let cursor = AuditCursor(token: token) else {
                throw AuditError.invalidQuery("the cursor \(token) was not handed out by this log; drop it to start again")
            }
            add("(e.time < ? OR (e.time = ? AND e.seq < ?))", [cursor.time, cursor.time, cursor.seq])
        }
    }

    private mutating func add(_ clause: String, _ values: StatementArguments) {
        clauses.append(clause)
        arguments += values
    }

    var sql: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }
}

/// Turns user input into an FTS5 query that never fails to parse.
///
/// Each whitespace-separated word becomes a quoted FTS5 string (inner quotes doubled), so `don't`,
/// `"`, `AND`, `NEAR(` or `col:x` are searched as text, not interpreted as syntax. A trailing `*`
/// keeps its prefix meaning. Words without a letter or digit are dropped: the tokenizer would
/// index nothing for them.
public enum FullTextPattern {
    public static func make(_ input: String) -> String? {
        var terms: [String] = []
        for word in input.split(whereSeparator: { $0.isWhitespace }) {
            var word = String(word)
            var isPrefix = false
            if word.hasSuffix("*") {
                isPrefix = true
                while word.hasSuffix("*") { word.removeLast() }
            }
            guard word.unicodeScalars.contains(where: { CharacterSet.alphanumerics.contains($0) }) else { continue }
            let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            terms.append(isPrefix ? quoted + " *" : quoted)
        }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }
}
