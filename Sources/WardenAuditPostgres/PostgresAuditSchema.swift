import PostgresNIO

/// The PostgreSQL audit schema's migrations. Shipped migrations never change; new columns or tables come as new ones.
///
/// The layout follows the SQLite store's (see `AuditSchema` in WardenAudit), with PostgreSQL types:
/// - `events.seq` is an identity column for the child tables' foreign keys and the cursor's tie-break; `id` a `uuid`,
///   so a prefix of it is a range scan on its unique index.
/// - `time` stays seconds since 1970 as `double precision`, so events and cursors round-trip exactly as in SQLite
///   (a `timestamptz` keeps microseconds only).
/// - `scores` is `jsonb`; reviews' `categories` too.
/// - `messages.search` is the message's `tsvector` under a GIN index, written by Warden with the row (see
///   ``PostgresTextSearch``), so every writer fills it in the same statement.
/// - Migrations run in one transaction under a transaction-scoped advisory lock: replicas that start together apply
///   each migration once; the others wait, then find it applied.
enum PostgresAuditSchema {
    static let v1 = "pg-v1-events-messages-violations-reviews-search"
    static let v2 = "pg-v2-verdict-source-column"

    static let migrations: [(id: String, sql: String)] = [(v1, version1), (v2, version2)]

    /// What produced the verdict (`model`, `screen`, `classifier_failure`); NULL for events recorded before.
    static let version2 = "ALTER TABLE events ADD COLUMN source text"

    /// Serialises migrations per schema (named, or the user's search path), across every process that connects.
    static func lock(schema: String?) -> PostgresQuery {
        "SELECT pg_advisory_xact_lock(hashtext(\("warden.audit.migrations." + (schema ?? "search_path"))))"
    }

    static let migrationsTable = """
        CREATE TABLE IF NOT EXISTS warden_audit_migrations (
            id text PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    static let version1 = """
        CREATE TABLE events (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id uuid NOT NULL UNIQUE,
            "time" double precision NOT NULL,
            direction text NOT NULL,
            decision text NOT NULL,
            reason text NOT NULL,
            policy_id text NOT NULL,
            policy_hash text NOT NULL,
            model_id text NOT NULL,
            latency_ms double precision,
            caller text,
            scores jsonb NOT NULL DEFAULT '{}',
            unsafe_score double precision
        );
        CREATE INDEX events_time ON events ("time", seq);
        CREATE INDEX events_decision_time ON events (decision, "time");
        CREATE INDEX events_policy_time ON events (policy_id, "time");

        CREATE TABLE messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_seq bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
            position integer NOT NULL,
            role text NOT NULL,
            content text,
            content_hash text,
            search tsvector,
            UNIQUE (event_seq, position)
        );
        CREATE INDEX messages_search ON messages USING gin (search);

        CREATE TABLE violations (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_seq bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
            position integer NOT NULL,
            category text NOT NULL,
            code text,
            score double precision,
            threshold double precision,
            decision text NOT NULL,
            rule text NOT NULL,
            UNIQUE (event_seq, position)
        );
        CREATE INDEX violations_category ON violations (category, event_seq);
        CREATE INDEX violations_code ON violations (code, event_seq);

        CREATE TABLE reviews (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_seq bigint NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
            reviewer text NOT NULL,
            unsafe boolean NOT NULL,
            categories jsonb NOT NULL DEFAULT '[]',
            note text,
            "time" double precision NOT NULL
        );
        CREATE INDEX reviews_event ON reviews (event_seq, "time");
        """
}
