import Foundation
import GRDB
import WardenCore

/// The embedded audit log: an SQLite file in WAL mode behind a GRDB `DatabasePool`.
///
/// Readers never block the writer and the writer never blocks readers; writers in other processes
/// (the CLI, a second server) wait up to ``Options/busyTimeout`` for the write lock. `record(_:)` writes
/// one event in its own transaction; servers put an ``AuditWriter`` in front to batch them.
public struct SQLiteAuditStore: AuditLogStore {
    /// How the database is opened.
    public struct Options: Sendable, Hashable {
        /// How long a write waits for another connection's lock before failing with ``AuditError/databaseLocked(path:)``.
        public var busyTimeout: Duration
        /// Create the file (and its directory) when missing; read commands pass `false`.
        public var createIfMissing: Bool
        /// Concurrent read connections in the pool.
        public var maximumReaderCount: Int
        /// Page cache of the write connection. The random-order index on event ids is touched once per
        /// event; keeping it in cache saves a read syscall per event on large logs.
        public var writerCacheMegabytes: Int

        public init(
            busyTimeout: Duration = .seconds(5), createIfMissing: Bool = true, maximumReaderCount: Int = 4,
            writerCacheMegabytes: Int = 64
        ) {
            self.busyTimeout = busyTimeout
            self.createIfMissing = createIfMissing
            self.maximumReaderCount = maximumReaderCount
            self.writerCacheMegabytes = writerCacheMegabytes
        }
    }

    /// The database file.
    public let path: String
    public var location: String { path }
    let options: Options
    /// The open pool; replaced by ``reopen()``.
    let connection: AuditConnection
    var pool: DatabasePool { connection.pool }

    /// Opens (or creates) the audit database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``AuditError`` naming the file: missing (when `createIfMissing` is false), locked,
    ///   corrupt, read-only, or written by a newer Warden.
    public init(path: String, options: Options = Options()) throws {
        try self.init(path: path, options: options, migratingUpTo: nil)
    }

    /// `migratingUpTo` stops at an older schema version, for upgrade tests.
    init(path: String, options: Options, migratingUpTo lastMigration: String?) throws {
        self.path = path
        self.options = options
        let (pool, identity) = try Self.open(path: path, options: options, migratingUpTo: lastMigration)
        connection = AuditConnection(pool: pool, identity: identity)
    }

    /// Opens the pool, brings the schema up to date and notes which file it opened.
    static func open(path: String, options: Options, migratingUpTo lastMigration: String?) throws -> (DatabasePool, FileIdentity?) {
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: path) {
            guard options.createIfMissing else { throw AuditError.databaseMissing(path: path) }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            do {
                try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw AuditError.databaseReadOnly(path: path)
            }
        }
        var configuration = Configuration()
        configuration.label = "warden-audit"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = Self.busyMode(timeout: options.busyTimeout)
        configuration.maximumReaderCount = max(1, options.maximumReaderCount)
        let cacheKibibytes = max(2, options.writerCacheMegabytes) * 1_024
        configuration.prepareDatabase { db in
            // Readers keep SQLite's default cache; only the writer gets the large one.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -\(cacheKibibytes)") }
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrate(pool, path: path, upTo: lastMigration)
            return (pool, FileIdentity(path: path))
        } catch let error as AuditError {
            throw error
        } catch {
            throw Self.auditError(error, path: path)
        }
    }

    private static func migrate(_ pool: DatabasePool, path: String, upTo lastMigration: String?) throws {
        let migrator = AuditSchema.migrator
        let unknown = try pool.read { db in
            try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
        }
        guard unknown.isEmpty else { throw AuditError.schemaTooNew(path: path, unknownMigrations: unknown) }
        if let lastMigration {
            try migrator.migrate(pool, upTo: lastMigration)
        } else {
            try migrator.migrate(pool)
        }
    }

    // MARK: - Recording

    /// Writes `events` in one transaction: all of them or, on error, none.
    public func record(batch events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        try await write { db in try AuditEventWriter.insert(events, into: db) }
    }

    // MARK: - Maintenance

    /// The number of events in the log.
    public func count() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    /// `PRAGMA integrity_check`'s answer: `["ok"]` for a sound file, otherwise the problems found.
    public func integrityCheck() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Checks the full-text index against the messages it indexes.
    ///
    /// - Throws: ``AuditError/databaseCorrupt(path:detail:)`` when they disagree.
    public func checkFullTextIndex() async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
        }
    }

    /// The migrations applied to this file, in order.
    public func appliedMigrations() async throws -> [String] {
        try await read { db in try AuditSchema.migrator.completedMigrations(db) }
    }

    /// `PRAGMA integrity_check` and the full-text index's own check; empty when both pass.
    public func consistencyProblems() async throws -> [String] {
        var problems = try await integrityCheck().filter { $0 != "ok" }
        do { try await checkFullTextIndex() } catch { problems.append("full-text index: \(error)") }
        return problems
    }

    /// One transaction of ``AuditLogStore/prune(olderThan:chunkSize:)``: deletes up to `chunkSize` old events.
    /// Only the events of `policyID`, when given.
    public func pruneChunk(olderThan cutoff: Date, policyID: String?, chunkSize: Int) async throws -> Int {
        let time = cutoff.timeIntervalSince1970
        return try await write { db in
            if let policyID {
                try db.execute(
                    sql: "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < ? AND policy_id = ? LIMIT ?)",
                    arguments: [time, policyID, max(1, chunkSize)])
            } else {
                try db.execute(
                    sql: "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < ? LIMIT ?)",
                    arguments: [time, max(1, chunkSize)])
            }
            return db.changesCount
        }
    }

    /// Closes the connections. Later calls fail.
    public func close() throws {
        do { try pool.close() } catch { throw Self.auditError(error, path: path) }
    }

    /// Retries a locked database every 2 ms until `timeout`.
    ///
    /// SQLite's own timeout handler backs off to 100 ms sleeps, which leaves the lock idle most of the
    /// time when several writers take turns with short transactions.
    static func busyMode(timeout: Duration) -> Database.BusyMode {
        let interval = 0.002
        let maximumTries = Int((timeout.timeInterval / interval).rounded(.up))
        return .callback { tries in
            guard tries < maximumTries else { return false }
            Thread.sleep(forTimeInterval: interval)
            return true
        }
    }

    // MARK: - Access with errors that name the file

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch { throw Self.auditError(error, path: path) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch { throw Self.auditError(error, path: path) }
    }

    /// Turns SQLite result codes into errors that say what to do about the file.
    static func auditError(_ error: any Error, path: String) -> AuditError {
        if let error = error as? AuditError { return error }
        guard let error = error as? DatabaseError else {
            return .database(path: path, detail: String(describing: error))
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .databaseLocked(path: path)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .databaseCorrupt(path: path, detail: error.message ?? "\(error.resultCode)")
        case .SQLITE_READONLY, .SQLITE_PERM: return .databaseReadOnly(path: path)
        case .SQLITE_FULL: return .diskFull(path: path)
        case .SQLITE_CANTOPEN: return .database(path: path, detail: "cannot open the file (\(error.message ?? "check the path and permissions"))")
        default: return .database(path: path, detail: error.message ?? "\(error.resultCode)")
        }
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
