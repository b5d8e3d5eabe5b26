import Foundation
import Testing
import WardenCore

@testable import WardenAudit
@testable import WardenAuditPostgres

@Suite("PostgreSQL audit store: URLs, errors, migrations, the writer")
struct PostgresAuditStoreTests {
    @Test("a URL is read once; the password never shows in its redacted form, nor in errors about it")
    func urlParsingAndRedaction() throws {
        let url = try PostgresAuditURL(
            "postgres://warden:s3cr%40t@db.internal:6543/audit?sslmode=require&schema=replica_log&pool_size=4&connect_timeout=3",
            environment: [:])
        #expect(url.user == "warden")
        #expect(url.password == "s3cr@t")
        #expect(url.host == "db.internal")
        #expect(url.port == 6543)
        #expect(url.database == "audit")
        #expect(url.sslMode == .require)
        #expect(url.schema == "replica_log")
        #expect(url.poolSize == 4)
        #expect(url.connectTimeout == .seconds(3))
        #expect(url.redacted == "postgres://warden@db.internal:6543/audit?schema=replica_log")
        #expect(!url.redacted.contains("s3cr"))

        let fromEnvironment = try PostgresAuditURL("postgresql://warden@localhost/audit", environment: ["PGPASSWORD": "hunter2"])
        #expect(fromEnvironment.password == "hunter2")
        #expect(fromEnvironment.port == 5432)
        #expect(fromEnvironment.sslMode == .prefer)

        let bad = [
            "postgres://warden:hunter2@db/audit?sslmode=sometimes", "postgres://warden:hunter2@db/audit?colour=blue",
            "postgres://warden:hunter2@db/", "postgres://:hunter2@db/audit", "postgres://warden:hunter2@db/audit?schema=Bad-Name",
            "mysql://warden:hunter2@db/audit",
        ]
        for text in bad {
            do {
                _ = try PostgresAuditURL(text, environment: [:])
                Issue.record("\(text) was accepted")
            } catch let error as AuditError {
                guard case .invalidDatabaseURL = error else { throw error }
                #expect(!error.description.contains("hunter2"), "the password leaked: \(error.description)")
            }
        }
    }

    @Test("an unreachable server is an error that names the redacted URL and says what to check")
    func unreachableServer() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let store = try PostgresAuditStore(
            url: PostgresAuditURL("postgres://warden:hunter2@127.0.0.1:1/audit?sslmode=disable&connect_timeout=2", environment: [:]),
            operationTimeout: .seconds(5))
        defer { store.close() }
        do {
            try await store.prepare()
            Issue.record("prepare() succeeded against a closed port")
        } catch let error as AuditError {
            guard case .databaseUnreachable(let location, _) = error else {
                Issue.record("expected databaseUnreachable, got \(error)")
                return
            }
            #expect(location == "postgres://warden@127.0.0.1:1/audit")
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.contains("Check the host and port"))
        }
    }

    @Test("a writer whose database is unreachable keeps events queued (fail-open) or refuses them (fail-closed)")
    func writerWithUnreachableDatabase() async throws {
        let url = try PostgresAuditURL("postgres://warden@127.0.0.1:1/audit?sslmode=disable&connect_timeout=1", environment: [:])
        for mode in AuditFailureMode.allCases {
            let store = try PostgresAuditStore(url: url, operationTimeout: .seconds(2))
            let writer = AuditWriter(
                store: store,
                configuration: AuditWriterConfiguration(
                    failureMode: mode, durability: .commit, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50),
                    shutdownTimeout: .milliseconds(100)))
            let loop = Task { await writer.run() }
            // A generous bound, not a timing claim: in the full suite, CPU-bound tests can hold both cooperative
            // threads for minutes on a 2-core machine, and the writer's probe deadline needs one to fire.
            #expect(try await eventually(timeout: .seconds(900)) { !writer.metrics.isDatabaseAvailable })

            // In commit mode the caller learns its event is not (yet) stored: no audit ID is handed out.
            do {
                try await writer.record(SyntheticAuditEvent.make(index: 1))
                Issue.record("record returned as committed while the database is unreachable (\(mode))")
            } catch let error as AuditError {
                switch (mode, error) {
                case (.failOpen, .commitUnconfirmed): #expect(error.servesWithoutAuditID)
                case (.failClosed, .databaseUnavailable): #expect(!error.servesWithoutAuditID)
                default: Issue.record("unexpected \(error) under \(mode)")
                }
            }
            #expect(writer.metrics.lastError?.contains("Cannot reach the audit database at postgres://warden@127.0.0.1:1/audit") == true)
            // Fail-open still holds the event for a retry, so this shutdown gives up on it (and says so); fail-closed
            // refused it, so nothing is left to write.
            _ = try? await writer.shutdown()
            await loop.value
            store.close()
        }
    }

    @Test("a server that answers but refuses is reported at once with its reason, not as a pool that never connects")
    func refusalsSayWhy() async throws {
        let base = try AuditBackend.requirePostgresURL()
        // A missing database (the server refuses the startup), and TLS asked of a server without it (the test
        // cluster has ssl off). Before, both waited out the operation timeout and said "no answer".
        let noDatabase = base.replacingOccurrences(of: "/warden?", with: "/warden_missing_db?")
        let tls = base.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        try #require(noDatabase != base && tls != base, "the test URL must name database warden and sslmode=disable: \(base)")
        for (url, expected) in [(noDatabase, "does not exist"), (tls, "does not offer TLS")] {
            let error = await #expect(throws: AuditError.self) { try await PostgresAuditStore.connect(url: url) }
            let message = error.map { "\($0.localizedDescription)" } ?? ""
            #expect(message.contains(expected) && !message.contains("no answer"), "\(message)")
        }
    }

    @Test("replicas starting together apply each migration once, under the advisory lock")
    func concurrentMigrations() async throws {
        let base = try AuditBackend.requirePostgresURL()
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
        let stores = try await withThrowingTaskGroup(of: PostgresAuditStore.self) { group in
            for _ in 0..<6 { group.addTask { try await PostgresAuditStore.connect(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer {
            let first = stores[0]
            Task.detached {
                _ = try? await first.rows("DROP SCHEMA \(unescaped: schema) CASCADE")
                for store in stores { store.close() }
            }
        }
        for store in stores {
            #expect(try await store.appliedMigrations() == [PostgresAuditSchema.v1, PostgresAuditSchema.v2])
        }
        try await stores[0].record(SyntheticAuditEvent.make(index: 7))
        #expect(try await stores[5].count() == 1)
    }

    @Test("commit durability on PostgreSQL: once record returns, another connection sees the event")
    func commitDurability() async throws {
        let database = try await TestAuditStore.open(.postgres)
        defer { database.remove() }
        let writer = AuditWriter(
            store: database.store,
            configuration: AuditWriterConfiguration(failureMode: .failClosed, durability: .commit, flushInterval: .milliseconds(5)))
        let loop = Task { await writer.run() }
        let other = try await database.openAnother()
        for index in 0..<50 {
            let event = SyntheticAuditEvent.make(index: index)
            try await writer.record(event)
            #expect(try await other.event(id: event.id) != nil, "event \(index) acknowledged but not visible")
        }
        try await writer.shutdown()
        await loop.value
        #expect(try await other.count() == 50)
        #expect(try await other.consistencyProblems() == [])
    }
}

@Suite("PostgreSQL full-text search terms")
struct PostgresTextSearchTests {
    @Test("words fold case and accents and split on anything but letters and digits, as FTS5's unicode61 does")
    func tokens() {
        #expect(PostgresTextSearch.tokens("Crème brûlée, don't foo.com a-b").map(\.lexeme) == ["creme", "brulee", "don", "t", "foo", "com", "a", "b"])
        #expect(PostgresTextSearch.vector("to be or not to be") == "'to':1,5 'be':2,6 'or':3 'not':4")
        #expect(PostgresTextSearch.vector(nil) == nil)
        #expect(PostgresTextSearch.vector("😀 ...") == "")
    }

    @Test("a search is every word, a word of several tokens a phrase, a trailing star a prefix")
    func queries() {
        #expect(PostgresTextSearch.query(PostgresTextSearch.terms("don't stop*")) == "('don' <-> 't') & ('stop':*)")
        #expect(PostgresTextSearch.query(PostgresTextSearch.terms("\" * -- ()")) == nil)
        #expect(PostgresTextSearch.query(PostgresTextSearch.terms("'; DROP TABLE events; --")) == "('drop') & ('table') & ('events')")
    }

    @Test("a snippet marks the matches in the best 12-word passage")
    func snippets() {
        let text = "one two three four five six seven eight nine ten eleven twelve thirteen river fourteen"
        let snippet = PostgresTextSearch.snippet(text, terms: PostgresTextSearch.terms("river"))
        #expect(snippet.contains("[river]"))
        #expect(snippet.hasPrefix("…"))
        #expect(PostgresTextSearch.snippet("Use a blowtorch.", terms: PostgresTextSearch.terms("blowtor*")) == "Use a [blowtorch].")
    }
}
