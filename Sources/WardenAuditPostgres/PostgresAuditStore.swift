import Foundation
import Logging
import PostgresNIO
import Synchronization
import WardenAudit
import WardenCore

/// The audit log on PostgreSQL, for replicas that share one log: every `warden serve` behind a load balancer writes
/// here, and `warden audit ...` and the audit API read the whole log from any of them.
///
/// A pool of connections (``PostgresAuditURL/poolSize`` per process) runs for the life of the store: the store
/// starts the pool itself and ``close()`` ends it, so it serves short CLI commands and tests as well as the server.
/// The schema is brought up to date on first use, under an advisory lock, so replicas can start together. A batch
/// is one statement, and so one transaction: all of it or none.
public final class PostgresAuditStore: AuditLogStore, Sendable {
    public let url: PostgresAuditURL
    public var location: String { url.redacted }
    let client: PostgresClient
    let logger: Logger
    /// Longest wait for one query or batch before the server counts as unreachable.
    let operationTimeout: Duration
    private let runner: Task<Void, Never>
    private let schemaReady = Mutex(false)

    /// Starts the connection pool; no connection is made until the first query (see ``prepare()``).
    ///
    /// - Throws: ``AuditError/invalidDatabaseURL(_:)`` for a URL that cannot be used.
    public init(url: PostgresAuditURL, operationTimeout: Duration = .seconds(30), logger: Logger = Logger(label: "warden.audit")) throws {
        self.url = url
        self.logger = logger
        self.operationTimeout = operationTimeout
        // The pool logs every failed connection attempt; while a database is down that is one line per retry, so
        // only its warnings pass (the writer logs each change of availability once).
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: try url.clientConfiguration(), backgroundLogger: poolLogger)
        self.client = client
        runner = Task { await client.run() }
    }

    public convenience init(url text: String, logger: Logger = Logger(label: "warden.audit")) throws {
        try self.init(url: PostgresAuditURL(text), logger: logger)
    }

    deinit { runner.cancel() }

    /// Opens a store and brings its schema up to date, for commands that need the database now.
    ///
    /// - Throws: ``AuditError/databaseUnreachable(location:detail:)``, ``AuditError/databaseAuthentication(location:detail:)``,
    ///   ``AuditError/schemaTooNew(path:unknownMigrations:)`` and other errors naming the redacted URL.
    public static func connect(url text: String, logger: Logger = Logger(label: "warden.audit")) async throws -> PostgresAuditStore {
        let store = try PostgresAuditStore(url: text, logger: logger)
        do {
            try await store.prepare()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// Ends the pool; later calls fail.
    public func close() {
        runner.cancel()
    }

    // MARK: - Schema

    /// Applies the migrations this build knows and the database lacks; at most once per store.
    public func prepare() async throws {
        guard !schemaReady.withLock({ $0 }) else { return }
        // One direct attempt first: a refused login, a TLS mismatch or a missing database is reported now, with the
        // server's reason, instead of as a pool that never hands out a connection.
        if let failure = await connectionFailure() { throw failure }
        // A connection, then possibly a wait for another replica's migrations (the advisory lock), then our own.
        try await run(timeout: url.connectTimeout + operationTimeout) { [self] client in
            try await client.withConnection { connection in
                try await Self.migrate(connection, schema: url.schema, location: location, logger: logger)
            }
        }
        schemaReady.withLock { $0 = true }
    }

    /// The migrations applied to this database, in order.
    public func appliedMigrations() async throws -> [String] {
        try await rows("SELECT id FROM warden_audit_migrations ORDER BY applied_at, id").map { try $0.decode("id", as: String.self) }
    }

    private static func migrate(_ connection: PostgresConnection, schema: String?, location: String, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            // The lock comes first: two `CREATE SCHEMA IF NOT EXISTS` at once still collide.
            try await connection.query(PostgresAuditSchema.lock(schema: schema), logger: logger)
            if let schema { try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger) }
            try await connection.query(PostgresQuery(unsafeSQL: PostgresAuditSchema.migrationsTable), logger: logger)
            var applied: [String] = []
            for try await id in try await connection.query("SELECT id FROM warden_audit_migrations", logger: logger).decode(String.self) {
                applied.append(id)
            }
            let known = PostgresAuditSchema.migrations.map(\.id)
            let unknown = applied.filter { !known.contains($0) }.sorted()
            guard unknown.isEmpty else { throw AuditError.schemaTooNew(path: location, unknownMigrations: unknown) }
            for migration in PostgresAuditSchema.migrations where !applied.contains(migration.id) {
                for statement in migration.sql.components(separatedBy: ";\n") {
                    let sql = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !sql.isEmpty { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                }
                try await connection.query("INSERT INTO warden_audit_migrations (id) VALUES (\(migration.id))", logger: logger)
                logger.notice("audit schema migrated", metadata: ["audit.location": "\(location)", "audit.migration": "\(migration.id)"])
            }
        }
    }

    // MARK: - Recording

    /// Writes `events` in one statement (so one transaction): all of them or none. An id already recorded is skipped,
    /// so a batch retried after an uncertain commit never fails on its own earlier write, nor doubles an event.
    public func record(batch events: [AuditEvent]) async throws {
        guard !events.isEmpty else { return }
        let json = try PostgresEventRows.json(events)
        var binds = PostgresBindings()
        binds.append(json)
        _ = try await rows(PostgresQuery(unsafeSQL: PostgresEventRows.insertSQL, binds: binds))
    }

    // MARK: - Maintenance

    public func count() async throws -> Int {
        try await rows("SELECT count(*) AS n FROM events").first?.decode("n", as: Int.self) ?? 0
    }

    public func pruneChunk(olderThan cutoff: Date, policyID: String?, chunkSize: Int) async throws -> Int {
        let time = cutoff.timeIntervalSince1970
        let limit = max(1, chunkSize)
        let query: PostgresQuery
        if let policyID {
            query = """
                WITH deleted AS (DELETE FROM events WHERE seq IN (
                    SELECT seq FROM events WHERE "time" < \(time) AND policy_id = \(PostgresText.clean(policyID)) LIMIT \(limit))
                    RETURNING 1)
                SELECT count(*) AS n FROM deleted
                """
        } else {
            query = """
                WITH deleted AS (DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE "time" < \(time) LIMIT \(limit)) RETURNING 1)
                SELECT count(*) AS n FROM deleted
                """
        }
        return try await rows(query).first?.decode("n", as: Int.self) ?? 0
    }

    /// Rows the schema's constraints should have made impossible, messages without their search vector, and indexes
    /// PostgreSQL marked invalid (an interrupted `CREATE INDEX CONCURRENTLY`); empty when the log is sound.
    public func consistencyProblems() async throws -> [String] {
        let checks: [(String, PostgresQuery)] = [
            ("messages without an event", "SELECT count(*) AS n FROM messages m WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = m.event_seq)"),
            ("violations without an event", "SELECT count(*) AS n FROM violations v WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = v.event_seq)"),
            ("reviews without an event", "SELECT count(*) AS n FROM reviews r WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.seq = r.event_seq)"),
            ("messages with text but no search vector", "SELECT count(*) AS n FROM messages WHERE content IS NOT NULL AND search IS NULL"),
            ("events whose message positions have gaps", """
                SELECT count(*) AS n FROM (SELECT event_seq FROM messages GROUP BY event_seq HAVING max(position) + 1 <> count(*)) g
                """),
            ("invalid indexes", """
                SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready)
                """),
        ]
        var problems: [String] = []
        for (name, query) in checks {
            let count = try await rows(query).first?.decode("n", as: Int.self) ?? 0
            if count > 0 { problems.append("\(count) \(name)") }
        }
        return problems
    }

    // MARK: - The writer's hooks

    /// A write that changes nothing, so a read-only user or a standby fails here, not on the first event.
    public func probeWritable() async throws {
        try await prepare()
        _ = try await rows("DELETE FROM events WHERE false", timeout: url.connectTimeout)
    }

    /// One round trip, answered within the connect timeout.
    public func checkReachable() async throws {
        try await prepare()
        _ = try await rows("SELECT 1 AS one", timeout: url.connectTimeout)
    }

    /// Nothing to check per batch: PostgreSQL either commits the batch or says it did not.
    public func verifyBeforeWrite() throws {}

    /// The pool replaces dropped connections itself (with backoff); nothing to reopen.
    public func recover(after error: any Error) async throws {}

    // MARK: - Access with errors that name the database

    /// Runs `query` to completion and returns its rows, after migrating on first use.
    func rows(_ query: PostgresQuery, timeout: Duration? = nil) async throws -> [PostgresRow] {
        try await prepare()
        return try await run(timeout: timeout ?? operationTimeout) { [logger] client in
            try await client.query(query, logger: logger).collect()
        }
    }

    /// `body` with a deadline, its errors turned into ``AuditError``s that name the redacted URL. A timeout is
    /// explained by one direct connection attempt when that fails (the pool hides why it has no connection).
    func run<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = client
        do {
            return try await withDeadline(timeout, onTimeout: { OperationTimedOut() }) { try await body(client) }
        } catch is OperationTimedOut {
            throw await connectionFailure() ?? AuditError.databaseUnreachable(location: location, detail: "no answer within \(timeout)")
        } catch {
            throw PostgresAuditErrors.auditError(error, location: location)
        }
    }

    private struct OperationTimedOut: Error {}

    /// Why no connection can be had, from one direct connection with the pool's settings; nil when one opens.
    func connectionFailure() async -> AuditError? {
        let location = location
        let connectTimeout = url.connectTimeout
        var quiet = logger
        quiet.logLevel = .critical
        do {
            let configuration = try url.connectionConfiguration()
            let connection = try await withDeadline(connectTimeout + .seconds(5), onTimeout: {
                AuditError.databaseUnreachable(location: location, detail: "no connection within \(connectTimeout)")
            }) { [quiet] in
                try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 0, logger: quiet).get()
            }
            try? await connection.close()
            return nil
        } catch {
            return PostgresAuditErrors.auditError(error, location: location)
        }
    }
}

extension PostgresRow {
    /// The value of the named column.
    func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try makeRandomAccess()[column].decode(T.self)
    }
}

/// Text as PostgreSQL can hold it: `text` and `json` have no NUL character, so U+0000 is stored as U+FFFD.
enum PostgresText {
    static func clean(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    static func clean(_ text: String?) -> String? { text.map(clean) }
}
