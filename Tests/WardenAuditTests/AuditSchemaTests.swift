import Foundation
import GRDB
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit schema and migrations")
struct AuditSchemaTests {
    @Test("an empty file gets every migration, WAL, foreign keys and the FTS index")
    func migratesFromEmpty() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }

        let store = try database.open()

        #expect(try await store.appliedMigrations() == [AuditSchema.v1, AuditSchema.v2, AuditSchema.v3])
        let (journal, foreignKeys, tables) = try await store.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            )
        }
        #expect(journal == "wal")
        #expect(foreignKeys == 1)
        for table in ["events", "messages", "violations", "reviews", "messages_fts"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        #expect(try await store.integrityCheck() == ["ok"])
    }

    @Test("a v1 database with data is upgraded to the latest without losing anything; new columns are filled or unknown")
    func upgradesVersion1WithData() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        // Given a database written by the v1 schema
        let old = try SQLiteAuditStore(path: database.path, options: .init(), migratingUpTo: AuditSchema.v1)
        #expect(try await old.appliedMigrations() == [AuditSchema.v1])
        let eventID = UUID()
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (id, time, direction, decision, reason, policy_id, policy_hash, model_id,
                                        latency_ms, caller, scores)
                    VALUES (?, 1700000000, 'input', 'block', 'old reason', 'default', 'h', 'm', 4, NULL,
                            '{"unsafe":0.93,"hate":0.8}');
                    INSERT INTO messages (event_seq, position, role, content) VALUES (last_insert_rowid(), 0, 'user',
                            'an old message about lighthouses');
                    INSERT INTO violations (event_seq, position, category, code, score, threshold, decision, rule)
                        SELECT seq, 0, 'hate', 'S10', 0.8, 0.5, 'block', 'input[0]' FROM events;
                    """, arguments: [eventID.uuidString])
        }
        try old.close()

        // When the current code opens it
        let store = try database.open()

        // Then every migration is applied, the old event reads back whole, unsafe_score was backfilled, and its
        // source (not recorded then) reads as unknown
        #expect(try await store.appliedMigrations() == [AuditSchema.v1, AuditSchema.v2, AuditSchema.v3])
        let detail = try #require(try await store.event(id: eventID))
        #expect(detail.event.source == nil)
        #expect(detail.event.reason == "old reason")
        #expect(detail.event.scores == ["unsafe": 0.93, "hate": 0.8])
        #expect(detail.event.violations.map(\.code) == ["S10"])
        let page = try await store.events(matching: AuditQuery(minimumUnsafeScore: 0.9))
        #expect(page.events.map(\.id) == [eventID])
        #expect(page.events.first?.unsafeScore == 0.93)
        #expect(try await store.search("lighthouses").events.map(\.id) == [eventID])
        #expect(try await store.integrityCheck() == ["ok"])
    }

    @Test("a database from a newer Warden is refused, naming the file")
    func refusesNewerSchema() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        try await store.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        }
        try store.close()

        #expect(throws: AuditError.schemaTooNew(path: database.path, unknownMigrations: ["v9-from-the-future"])) {
            try database.open()
        }
    }

    @Test("a missing file is reported, not created, when creation is off")
    func missingDatabase() throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        #expect(throws: AuditError.databaseMissing(path: database.path)) {
            try SQLiteAuditStore(path: database.path, options: .init(createIfMissing: false))
        }
        #expect(!FileManager.default.fileExists(atPath: database.path))
    }

    @Test("a file that is not SQLite is reported as corrupt, naming the file")
    func corruptDatabase() throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        try Data(repeating: 0x41, count: 8_192).write(to: URL(fileURLWithPath: database.path))

        do {
            _ = try database.open()
            Issue.record("opening a non-SQLite file succeeded")
        } catch let error as AuditError {
            guard case .databaseCorrupt(let path, _) = error else {
                Issue.record("expected databaseCorrupt, got \(error)")
                return
            }
            #expect(path == database.path)
            #expect(error.description.contains(database.path))
        }
    }
}
