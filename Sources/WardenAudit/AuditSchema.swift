import GRDB

/// The audit database's migrations. Shipped migrations never change; new columns or tables come as new ones.
///
/// Layout, and why:
/// - `events` has an integer `seq` primary key for the child tables' foreign keys (smaller and faster
///   than the 36-character UUID) and for a stable tie-break in keyset pagination; the UUID is `id`.
/// - `scores` is a JSON object column on `events`, not a `scores(event, label, score)` table. Every
///   listed query (decision, category, direction, policy, time, text) filters on `events` columns or
///   on `violations`, and scores are read only for one event's detail: one row instead of ~18, about
///   36 fewer b-tree entries (row and event index) written per event, and a smaller file. The one
///   score worth filtering on, `unsafe`, gets its own column in v2 (no JSON parsing per row).
/// - Indexes are chosen for the write path too: `time`, `decision`+`time` and the violation indexes
///   grow at their right edge (cheap), while the UUID index takes one random page per event. There
///   is no index on `unsafe_score` for that reason: a score filter scans by time, which is fine for
///   pages of a listing.
/// - Category filters and per-category statistics read `violations` through its category/code indexes.
/// - `reviews` are separate rows; the event row is never updated by a review.
/// - `source` (v3) says what produced the verdict (`model`, `screen`, `classifier_failure`); NULL for older events.
/// - Score, threshold and latency columns are NULL when the value was not a finite number (SQLite has no NaN).
/// - `messages_fts` is an external-content FTS5 index over `messages.content`, kept in sync by
///   triggers so every writer (batched writer, CLI, pruning) updates it in the same transaction.
enum AuditSchema {
    static let v1 = "v1-events-messages-violations-reviews-fts"
    static let v2 = "v2-unsafe-score-column"
    static let v3 = "v3-verdict-source-column"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(v1) { db in try createVersion1(db) }
        migrator.registerMigration(v2) { db in try addUnsafeScore(db) }
        migrator.registerMigration(v3) { db in try db.execute(sql: "ALTER TABLE events ADD COLUMN source TEXT") }
        return migrator
    }

    private static func createVersion1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                time REAL NOT NULL,
                direction TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason TEXT NOT NULL,
                policy_id TEXT NOT NULL,
                policy_hash TEXT NOT NULL,
                model_id TEXT NOT NULL,
                latency_ms REAL,
                caller TEXT,
                scores TEXT NOT NULL DEFAULT '{}'
            );
            CREATE INDEX events_time ON events(time);
            CREATE INDEX events_decision_time ON events(decision, time);

            CREATE TABLE messages (
                id INTEGER PRIMARY KEY,
                event_seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                role TEXT NOT NULL,
                content TEXT,
                content_hash TEXT,
                UNIQUE (event_seq, position)
            );

            CREATE TABLE violations (
                id INTEGER PRIMARY KEY,
                event_seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                category TEXT NOT NULL,
                code TEXT,
                score REAL,
                threshold REAL,
                decision TEXT NOT NULL,
                rule TEXT NOT NULL,
                UNIQUE (event_seq, position)
            );
            CREATE INDEX violations_category ON violations(category, event_seq);
            CREATE INDEX violations_code ON violations(code, event_seq);

            CREATE TABLE reviews (
                id INTEGER PRIMARY KEY,
                event_seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
                reviewer TEXT NOT NULL,
                unsafe INTEGER NOT NULL,
                categories TEXT NOT NULL DEFAULT '[]',
                note TEXT,
                time REAL NOT NULL
            );
            CREATE INDEX reviews_event ON reviews(event_seq, time);

            CREATE VIRTUAL TABLE messages_fts USING fts5(
                content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
            );
            -- Every message gets an index row, NULL text included (it indexes nothing), so the index
            -- matches its content table row for row and FTS5's integrity-check holds.
            CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
            END;
            CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
            END;
            CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
                INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
                INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
            END;
            """)
    }

    /// v2: the overall `unsafe` score as its own column, backfilled from the JSON, for `--min-score`
    /// filters and listings without parsing JSON per row.
    private static func addUnsafeScore(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE events ADD COLUMN unsafe_score REAL;
            UPDATE events SET unsafe_score = json_extract(scores, '$.unsafe');
            """)
    }
}
