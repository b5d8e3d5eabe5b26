import Foundation
import PostgresNIO
import WardenAudit
import WardenCore

extension PostgresAuditStore {
    /// Adds a reviewer's judgement beside an event; the event and earlier reviews are kept as they are.
    ///
    /// - Throws: ``AuditError/eventNotFound(_:)``, ``AuditError/invalidReview(_:)`` for an empty reviewer or
    ///   categories on a safe label, database errors.
    public func review(eventID: UUID, _ review: AuditReview) async throws {
        let reviewer = review.reviewer.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reviewer.isEmpty else { throw AuditError.invalidReview("the reviewer name is empty") }
        let categories = AuditCategories.normalized(review.categories).map(PostgresText.clean)
        if !review.unsafe && !categories.isEmpty {
            throw AuditError.invalidReview(
                "a safe label takes no categories (got \(categories.joined(separator: ","))); label it unsafe or drop them")
        }
        let categoriesJSON = String(decoding: try JSONEncoder().encode(categories), as: UTF8.self)
        let note = review.note.flatMap { $0.isEmpty ? nil : PostgresText.clean($0) }
        let inserted = try await rows("""
            INSERT INTO reviews (event_seq, reviewer, unsafe, categories, note, "time")
            SELECT seq, \(PostgresText.clean(reviewer)), \(review.unsafe), \(categoriesJSON)::jsonb, \(note), \(review.time.timeIntervalSince1970)
            FROM events WHERE id = \(eventID)
            RETURNING id
            """)
        guard inserted.count == 1 else { throw AuditError.eventNotFound(eventID.uuidString) }
    }

    /// Reviewed events as training examples in the shared data schema, oldest first; the latest review wins.
    /// Events recorded with hashed or no text are counted in ``AuditExport/skippedWithoutText``.
    public func reviewedExport(categoryCodes: [String: String]) async throws -> AuditExport {
        let ids = try await rows("""
            SELECT e.id FROM events e WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.event_seq = e.seq) ORDER BY e."time", e.seq
            """).map { try $0.decode("id", as: UUID.self) }
        var export = AuditExport(records: [], skippedWithoutText: 0, skippedWithoutPrompt: 0)
        // Pages of details, so a large export neither runs one query per event nor loads everything in one answer.
        var start = 0
        while start < ids.count {
            let page = Array(ids[start..<min(ids.count, start + 500)])
            for detail in try await details(ids: page) {
                switch AuditExportRecord.make(from: detail, categoryCodes: categoryCodes) {
                case .record(let record): export.records.append(record)
                case .withoutText: export.skippedWithoutText += 1
                case .withoutPrompt: export.skippedWithoutPrompt += 1
                }
            }
            start += page.count
        }
        return export
    }
}
