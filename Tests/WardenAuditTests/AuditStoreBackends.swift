import Foundation
import GRDB
import PostgresNIO
import Testing
import WardenCore

@testable import WardenAudit
@testable import WardenAuditPostgres

/// The stores the conformance suite runs against: every test taking an ``AuditBackend`` runs once per store.
enum AuditBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// `WARDEN_TEST_POSTGRES_URL`: a database the tests may create schemas in (`.ci/run` starts one).
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["WARDEN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// In CI a PostgreSQL case that cannot run fails: the conformance suite must hold on both stores there.
    static var isCI: Bool {
        ["true", "1", "yes"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "")
    }

    /// The PostgreSQL URL, or this case cancelled (skipped, with the reason) outside CI and failed in CI.
    static func requirePostgresURL() throws -> String {
        if let url = postgresURL { return url }
        let reason = "WARDEN_TEST_POSTGRES_URL is not set, so this PostgreSQL case did not run. Start a server "
            + "(scripts/pg-temp-cluster.sh start /tmp/wpg) and set the variable to the URL it prints."
        if isCI {
            Issue.record("CI=true requires the PostgreSQL cases: \(reason)")
            throw PostgresUnavailable()
        }
        try Test.cancel(Comment(rawValue: reason))
    }

    struct PostgresUnavailable: Error {}
}

/// One test's store: a fresh SQLite file, or a fresh schema in the PostgreSQL test database; `remove()` deletes it.
struct TestAuditStore: Sendable {
    let store: any AuditLogStore
    let backend: AuditBackend
    /// Opens another store on the same database, as another process or replica would.
    let openAnother: @Sendable () async throws -> any AuditLogStore
    /// How `warden audit` commands name this database.
    let commandLineArguments: [String]
    private let cleanup: @Sendable () -> Void

    static func open(_ backend: AuditBackend) async throws -> TestAuditStore {
        switch backend {
        case .sqlite:
            let database = TemporaryDatabase()
            let path = database.path
            return TestAuditStore(
                store: try database.open(), backend: backend,
                openAnother: { try SQLiteAuditStore(path: path, options: .init(busyTimeout: .seconds(30))) },
                commandLineArguments: ["--database", path], cleanup: { database.remove() })
        case .postgres:
            let base = try AuditBackend.requirePostgresURL()
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
            let store = try await PostgresAuditStore.connect(url: url)
            return TestAuditStore(
                store: store, backend: backend, openAnother: { try await PostgresAuditStore.connect(url: url) },
                commandLineArguments: ["--audit-url", url], cleanup: {
                    // Dropped after the test; the store's pool closes once it is done.
                    Task.detached {
                        _ = try? await store.rows(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
                        store.close()
                    }
                })
        }
    }

    func remove() { cleanup() }

    /// Every event id in the log, read through the API's cursor pages.
    func allEventIDs() async throws -> [UUID] {
        var ids: [UUID] = []
        var cursor: String?
        repeat {
            let page = try await store.events(matching: AuditQuery(limit: AuditQuery.maximumLimit, cursor: cursor))
            ids += page.events.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    /// Rows of messages, violations and reviews left in the database, counted with SQL on either store.
    func childRowCount() async throws -> Int {
        let sql = "SELECT (SELECT count(*) FROM messages) + (SELECT count(*) FROM violations) + (SELECT count(*) FROM reviews) AS n"
        switch store {
        case let sqlite as SQLiteAuditStore:
            return try await sqlite.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
        case let postgres as PostgresAuditStore:
            return try await postgres.rows(PostgresQuery(unsafeSQL: sql)).first?.decode("n", as: Int.self) ?? 0
        default:
            Issue.record("unknown store \(type(of: store))")
            return -1
        }
    }
}
