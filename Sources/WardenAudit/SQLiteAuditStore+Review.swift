import Foundation
import GRDB
import WardenCore

extension SQLiteAuditStore {
    /// Adds a reviewer's judgement of an event. Earlier reviews and the event itself are kept as they are;
    /// the latest review is the one that counts for exports.
    ///
    /// - Parameters:
    ///   - eventID: The reviewed event; it overrides `review.eventID`.
    ///   - review: The judgement. Categories are trimmed; `s1` becomes `S1`.
    /// - Throws: ``AuditError/eventNotFound(_:)``, ``AuditError/invalidReview(_:)`` for an empty reviewer
    ///   or categories on a safe label, database errors.
    public func review(eventID: UUID, _ review: AuditReview) async throws {
        let reviewer = review.reviewer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reviewer.isEmpty else { throw AuditError.invalidReview("the reviewer name is empty") }
        let categories = AuditCategories.normalized(review.categories)
        if !review.unsafe && !categories.isEmpty {
            throw AuditError.invalidReview(
                "a safe label takes no categories (got \(categories.joined(separator: ","))); label it unsafe or drop them")
        }
        let categoriesJSON = String(decoding: try JSONEncoder().encode(categories), as: UTF8.self)
        let note = review.note.flatMap { $0.isEmpty ? nil : $0 }
        let inserted = try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO reviews (event_seq, reviewer, unsafe, categories, note, time)
                    SELECT seq, ?, ?, ?, ?, ? FROM events WHERE id = ?
                    """,
                arguments: [
                    reviewer, review.unsafe, categoriesJSON, note, review.time.timeIntervalSince1970, eventID.uuidString,
                ])
            return db.changesCount
        }
        guard inserted == 1 else { throw AuditError.eventNotFound(eventID.uuidString) }
    }

    /// Reviewed events as training examples in the shared data schema, oldest first.
    ///
    /// The latest review's label and categories win over the model's verdict. An event is exported as its
    /// judged turn: the last user message as `prompt` and, for output checks, the last assistant message
    /// as `response`; earlier turns are not carried. Events recorded with hashed or no text cannot be
    /// exported and are counted in ``AuditExport/skippedWithoutText``.
    ///
    /// - Parameter categoryCodes: Extra hazard-ID-to-code mappings (from the taxonomy) for reviewer
    ///   categories that the event's own violations do not map.
    public func reviewedExport(categoryCodes: [String: String]) async throws -> AuditExport {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id FROM events e
                    WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq)
                    ORDER BY e.time, e.seq
                    """)
            var export = AuditExport(records: [], skippedWithoutText: 0, skippedWithoutPrompt: 0)
            for row in rows {
                guard let detail = try Self.detail(id: row["id"], in: db) else { continue }
                switch AuditExportRecord.make(from: detail, categoryCodes: categoryCodes) {
                case .record(let record): export.records.append(record)
                case .withoutText: export.skippedWithoutText += 1
                case .withoutPrompt: export.skippedWithoutPrompt += 1
                }
            }
            return export
        }
    }
}
