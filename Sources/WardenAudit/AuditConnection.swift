import Foundation
import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The device and inode of a file: what tells the file a pool opened from whatever is at its path now.
struct FileIdentity: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64

    /// The identity of the file at `path`, or nil when there is none.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The store's open pool, replaceable: a write that finds the file removed, replaced or read-only is retried on a
/// fresh connection, so a restored directory or permission takes effect without a restart.
final class AuditConnection: Sendable {
    private let state: Mutex<(pool: DatabasePool, identity: FileIdentity?)>

    init(pool: DatabasePool, identity: FileIdentity?) {
        state = Mutex((pool, identity))
    }

    var pool: DatabasePool { state.withLock { $0.pool } }
    var identity: FileIdentity? { state.withLock { $0.identity } }

    /// Swaps in a new pool; the old one is closed once its running statements finish.
    func replace(with pool: DatabasePool, identity: FileIdentity?) {
        let old = state.withLock { state in
            defer { state = (pool, identity) }
            return state.pool
        }
        try? old.close()
    }
}

extension SQLiteAuditStore {
    /// Throws ``AuditError/databaseRemoved(path:)`` when the file this store writes is no longer the one at its path
    /// (deleted, or its directory removed or replaced): SQLite would go on writing into the unlinked file, and every
    /// event written there would vanish at the next start.
    public func verifyFile() throws {
        guard let opened = connection.identity, FileIdentity(path: path) == opened else {
            throw AuditError.databaseRemoved(path: path)
        }
    }

    /// Throws unless the database takes writes now (a read-only file or directory opens without complaint).
    public func probeWritable() async throws {
        try verifyFile()
        try await write { db in try db.execute(sql: "DELETE FROM events WHERE 0") }
    }

    public func verifyBeforeWrite() throws { try verifyFile() }

    /// A removed file or a read-only connection never recovers by retrying on the same connection: reopen then.
    public func recover(after error: any Error) async throws {
        guard Self.needsFreshConnection(error) else { return }
        try reopen()
    }

    static func needsFreshConnection(_ error: any Error) -> Bool {
        switch error as? AuditError {
        case .databaseRemoved, .databaseReadOnly: true
        case .database(_, let detail): detail.contains("cannot open") || detail.contains("disk I/O")
        default: false
        }
    }

    /// Opens the file at the path again (creating it, and its directory, when it is gone) and writes there from now on.
    public func reopen() throws {
        let (pool, identity) = try Self.open(path: path, options: options, migratingUpTo: nil)
        connection.replace(with: pool, identity: identity)
    }
}
