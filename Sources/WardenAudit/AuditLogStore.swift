import Foundation
import WardenCore

/// The audit log, whatever database holds it: the embedded SQLite file (``SQLiteAuditStore``) or a PostgreSQL
/// database that several replicas share (`WardenAuditPostgres`).
///
/// One surface for both, so the batched ``AuditWriter``, the server's audit API and the `warden audit` commands
/// work on either, and one conformance suite tests both stores.
public protocol AuditLogStore: AuditStore {
    /// Names the database in messages and logs: a file path, or a URL without its password.
    var location: String { get }

    /// Writes `events` in one transaction: all of them or, on error, none. An id already recorded is skipped.
    func record(batch events: [AuditEvent]) async throws
    /// Events matching `query`, newest first.
    func events(matching query: AuditQuery) async throws -> AuditPage
    /// The event with `id`, its messages, scores, violations and reviews; `nil` when absent.
    func event(id: UUID) async throws -> AuditEventDetail?
    /// Resolves a full id or a unique prefix of one (at least 4 characters).
    func resolveEventID(_ text: String) async throws -> UUID
    /// Counts per decision, category and UTC day of the events `query` selects (limit and cursor ignored).
    func statistics(matching query: AuditQuery) async throws -> AuditStatistics
    /// Adds a reviewer's judgement beside an event; earlier reviews and the event are kept.
    func review(eventID: UUID, _ review: AuditReview) async throws
    /// Reviewed events as training examples in the shared data schema, oldest first.
    func reviewedExport(categoryCodes: [String: String]) async throws -> AuditExport
    /// The number of events in the log.
    func count() async throws -> Int
    /// Deletes up to `chunkSize` events older than `cutoff` (of `policyID` only, when given) in one transaction.
    func pruneChunk(olderThan cutoff: Date, policyID: String?, chunkSize: Int) async throws -> Int
    /// What the database's own consistency checks find wrong; empty when the log is sound.
    func consistencyProblems() async throws -> [String]

    // MARK: The batched writer's hooks

    /// Throws unless the database takes writes now (the writer asks at start, and while it waits to recover).
    func probeWritable() async throws
    /// Checked before each batch; throws when writing now would lose the batch (SQLite: the file was replaced).
    func verifyBeforeWrite() throws
    /// After a failed write: gets a fresh connection when retrying on the current one cannot succeed.
    func recover(after error: any Error) async throws
    /// Throws when the database cannot be reached now; `/readyz` asks. An embedded file is always reachable (its
    /// writability shows in the writer's state).
    func checkReachable() async throws
}

extension AuditLogStore {
    public func checkReachable() async throws {}

    public func record(_ event: AuditEvent) async throws {
        try await record(batch: [event])
    }

    /// Full-text search: ``events(matching:)`` with `text` set, newest first, each with a snippet.
    public func search(_ text: String, matching query: AuditQuery = AuditQuery()) async throws -> AuditPage {
        var query = query
        query.text = text
        return try await events(matching: query)
    }

    public func statistics() async throws -> AuditStatistics {
        try await statistics(matching: AuditQuery())
    }

    public func reviewedExport() async throws -> AuditExport {
        try await reviewedExport(categoryCodes: [:])
    }

    /// Deletes events older than `cutoff` with their messages, violations and reviews, `chunkSize` per transaction
    /// so that a large prune never holds locks for long.
    /// - Returns: The number of events deleted.
    @discardableResult
    public func prune(olderThan cutoff: Date, chunkSize: Int = 2_000) async throws -> Int {
        var deleted = 0
        while true {
            let changes = try await pruneChunk(olderThan: cutoff, policyID: nil, chunkSize: chunkSize)
            deleted += changes
            if changes < max(1, chunkSize) { return deleted }
        }
    }
}
