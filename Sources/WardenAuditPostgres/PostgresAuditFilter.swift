import Foundation
import PostgresNIO
import WardenAudit

/// The SQL `WHERE` clause of a query over `events e`, as the SQLite store's filter reads ``AuditQuery``, with
/// numbered parameters appended to shared bindings.
struct PostgresAuditFilter {
    var clauses: [String] = []
    /// The search's words, or empty; a search without a searchable word matches nothing.
    var terms: [PostgresTextSearch.Term] = []
    var canMatch = true
    private(set) var tsquery: String?

    init(_ query: AuditQuery, includeCursor: Bool = true, binds: inout PostgresBindings) throws {
        func parameter(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let decision = query.decision { clauses.append("e.decision = \(parameter(decision.rawValue))") }
        if let direction = query.direction { clauses.append("e.direction = \(parameter(direction.rawValue))") }
        if let policyID = query.policyID { clauses.append("e.policy_id = \(parameter(PostgresText.clean(policyID)))") }
        if let modelID = query.modelID { clauses.append("e.model_id = \(parameter(PostgresText.clean(modelID)))") }
        switch query.flagged {
        case true?: clauses.append("e.decision IN ('review', 'block')")
        case false?: clauses.append("e.decision = 'allow'")
        case nil: break
        }
        if let since = query.since { clauses.append("e.\"time\" >= \(parameter(since.timeIntervalSince1970))") }
        if let until = query.until { clauses.append("e.\"time\" < \(parameter(until.timeIntervalSince1970))") }
        if let minimum = query.minimumUnsafeScore { clauses.append("e.unsafe_score >= \(parameter(minimum))") }
        if let category = query.category?.trimmingCharacters(in: .whitespaces), !category.isEmpty {
            let name = PostgresText.clean(category)
            let code = AuditCategories.normalizedCode(name) ?? name
            // Two IN lists rather than one OR so each can use its own index.
            clauses.append(
                "(e.seq IN (SELECT event_seq FROM violations WHERE category = \(parameter(name)))"
                    + " OR e.seq IN (SELECT event_seq FROM violations WHERE code = \(parameter(code))))")
        }
        switch query.reviewed {
        case true?: clauses.append("EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)")
        case false?: clauses.append("NOT EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)")
        case nil: break
        }
        if let text = query.text {
            terms = PostgresTextSearch.terms(text)
            if let tsquery = PostgresTextSearch.query(terms) {
                self.tsquery = tsquery
                clauses.append("e.seq IN (SELECT m.event_seq FROM messages m WHERE m.search @@ \(parameter(tsquery))::tsquery)")
            } else {
                canMatch = false
            }
        }
        if includeCursor, let token = query.cursor {
            guard let cursor = AuditCursor(token: token) else {
                throw AuditError.invalidQuery("the cursor \(token) was not handed out by this log; drop it to start again")
            }
            let time = parameter(cursor.time)
            clauses.append("(e.\"time\" < \(time) OR (e.\"time\" = \(time) AND e.seq < \(parameter(cursor.seq))))")
        }
    }

    var sql: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }
}
