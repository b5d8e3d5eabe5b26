import Foundation
import WardenCore

/// Everything that can go wrong in the audit log, with the file or the limit the user has to look at.
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// No database at `path` (read commands never create one).
    case databaseMissing(path: String)
    /// Another process held the database's write lock longer than the busy timeout.
    case databaseLocked(path: String)
    /// The file is not an SQLite database, or its pages are damaged.
    case databaseCorrupt(path: String, detail: String)
    /// The file or its directory cannot be written.
    case databaseReadOnly(path: String)
    /// The disk (or the database's size limit) is full.
    case diskFull(path: String)
    /// The database was written by a newer Warden whose migrations this build does not know.
    case schemaTooNew(path: String, unknownMigrations: [String])
    /// Any other SQLite failure.
    case database(path: String, detail: String)
    /// PostgreSQL: no connection to the server (refused, timed out, name not resolved), or it dropped.
    case databaseUnreachable(location: String, detail: String)
    /// PostgreSQL refused the user or the password.
    case databaseAuthentication(location: String, detail: String)
    /// An audit URL that Warden cannot use; the text says what is wrong (never the password).
    case invalidDatabaseURL(String)
    /// `show`, `review`: no event with this id.
    case eventNotFound(String)
    /// An id prefix matched several events.
    case ambiguousEventID(String, matches: Int)
    /// The writer's bounded queue is full and the failure mode refuses new events.
    case queueFull(capacity: Int)
    /// Fail-closed writer: the last write failed, so new events are refused until the database recovers.
    case databaseUnavailable(path: String, reason: String)
    /// The database file was deleted or replaced (or its directory removed) while open.
    case databaseRemoved(path: String)
    /// Fail-open writer: the queue is full, so this event was dropped (counted); the request is served without an
    /// audit ID.
    case eventDropped(capacity: Int)
    /// Fail-open writer waiting for commits: the write failed; the event stays queued and is retried, but the request
    /// is served without an audit ID, since its commit could not be confirmed.
    case commitUnconfirmed(path: String, reason: String)
    /// `record` after `shutdown()`.
    case writerShutDown
    /// `shutdown()` gave up while the database was still unavailable; these events were not written.
    case shutdownIncomplete(path: String, unwritten: Int, reason: String)
    /// A review with an empty reviewer name or an unusable category.
    case invalidReview(String)
    /// A filter or cursor the log cannot use.
    case invalidQuery(String)

    public var description: String {
        switch self {
        case .databaseMissing(let path):
            "No audit database at \(path). Check --database or WARDEN_AUDIT_DB, or start the server once to create it."
        case .databaseLocked(let path):
            "The audit database \(path) is locked by another process; retry, or stop the process holding it."
        case .databaseCorrupt(let path, let detail):
            "The audit database \(path) is corrupt or not an SQLite file (\(detail)). Move it aside; a new one is created on the next start."
        case .databaseReadOnly(let path):
            "The audit database \(path) is read-only; check the permissions of the file and its directory."
        case .diskFull(let path):
            "The disk holding the audit database \(path) is full; free space or prune old events."
        case .schemaTooNew(let path, let unknown):
            "The audit database \(path) was written by a newer Warden (unknown migrations: \(unknown.joined(separator: ", "))); upgrade Warden."
        case .database(let path, let detail):
            "Audit database \(path): \(detail)"
        case .databaseUnreachable(let location, let detail):
            "Cannot reach the audit database at \(location) (\(detail)). Check the host and port of --audit-url or WARDEN_AUDIT_URL, and that PostgreSQL is running and accepts connections from here."
        case .databaseAuthentication(let location, let detail):
            "The audit database at \(location) refused the login (\(detail)). Check the user, and the password (in the URL, or PGPASSWORD), and pg_hba.conf."
        case .invalidDatabaseURL(let detail):
            "Invalid audit database URL: \(detail)"
        case .eventNotFound(let id):
            "No audit event with id \(id)."
        case .ambiguousEventID(let prefix, let matches):
            "The id prefix \(prefix) matches \(matches) events; give more characters."
        case .queueFull(let capacity):
            "The audit queue is full (\(capacity) events waiting); the database is not keeping up."
        case .databaseUnavailable(let path, let reason):
            "The audit database \(path) is unavailable (\(reason)); refusing requests because audit.failure_mode is fail-closed."
        case .databaseRemoved(let path):
            "The audit database \(path) was deleted or replaced while open; writing to a new file at that path (events in the removed file are gone with it)."
        case .eventDropped(let capacity):
            "The audit queue is full (\(capacity) events waiting) and audit.failure_mode is fail-open: the event was dropped and counted."
        case .commitUnconfirmed(let path, let reason):
            "The audit database \(path) did not commit the event (\(reason)); it stays queued for retry, and the request is served without an audit ID (fail-open)."
        case .writerShutDown:
            "The audit writer has shut down; no more events are accepted."
        case .shutdownIncomplete(let path, let unwritten, let reason):
            "Shutting down with \(unwritten) audit events not written to \(path): \(reason)."
        case .invalidReview(let detail):
            "Invalid review: \(detail)"
        case .invalidQuery(let detail):
            "Invalid audit query: \(detail)"
        }
    }

    public var errorDescription: String? { description }
}

extension AuditError: UnconfirmedAuditEvent {
    public var servesWithoutAuditID: Bool {
        switch self {
        case .eventDropped, .commitUnconfirmed: true
        default: false
        }
    }
}
