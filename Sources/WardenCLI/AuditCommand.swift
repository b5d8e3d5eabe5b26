import ArgumentParser
import Foundation
import WardenAudit
import WardenAuditPostgres
import WardenCore
import WardenTaxonomy

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect, search, review, export and prune the audit log.",
        subcommands: [List.self, Show.self, Search.self, Review.self, Export.self, Stats.self, Prune.self, Check.self, Load.self]
    )
}

/// `--audit-db` or `--audit-url`, and `--json`, shared by every audit subcommand.
struct AuditDatabaseOptions: ParsableArguments {
    // One name per concept across commands: `warden serve --audit-db` names the same file. `--database` is the old name.
    @Option(
        name: [.customLong("audit-db"), .customLong("database")],
        help: "The audit database (default: $WARDEN_AUDIT_DB, $WARDEN_HOME/audit.sqlite or ~/.cache/warden/audit.sqlite).")
    var database: String?

    @Option(
        name: .customLong("audit-url"),
        help: "A shared PostgreSQL audit store, postgres://user@host:port/db (default: $WARDEN_AUDIT_URL; the password from PGPASSWORD).")
    var url: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    var path: String { database ?? AuditDatabaseLocation.defaultPath() }

    func validate() throws {
        if database != nil && url != nil { throw ValidationError("Give --audit-db or --audit-url, not both.") }
    }

    /// The PostgreSQL URL in force: the flag, else `$WARDEN_AUDIT_URL` unless a file was named.
    var resolvedURL: String? {
        if let url { return url }
        guard database == nil, let url = ProcessInfo.processInfo.environment["WARDEN_AUDIT_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// Opens an existing SQLite database (only the loader creates one), or connects to PostgreSQL and brings its
    /// schema up to date.
    func open(create: Bool = false) async throws -> any AuditLogStore {
        if let url = resolvedURL { return try await PostgresAuditStore.connect(url: url) }
        return try SQLiteAuditStore(path: path, options: .init(createIfMissing: create))
    }

    func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// The filters of `list`, `search` and `stats`.
struct AuditFilterOptions: ParsableArguments {
    @Option(help: "Only this decision: allow, review or block.", transform: { try parseValue($0, "--decision") })
    var decision: Decision?
    @Option(help: "Only events with a violation of this category (hazard ID or code such as S1).")
    var category: String?
    @Option(help: "Only input or output checks.", transform: { try parseValue($0, "--direction") })
    var direction: Direction?
    @Option(help: "Only events of this policy id.")
    var policy: String?
    @Option(help: "From this time: 2025-01-31, 2025-01-31T12:00:00Z, or an age such as 7d or 12h.")
    var since: String?
    @Option(help: "Before this time (same forms as --since).")
    var until: String?
    @Flag(help: "Only reviewed (--reviewed) or unreviewed (--unreviewed) events.")
    var reviewState: ReviewState?
    /// Named like the audit API's `min_unsafe`; `--min-score` is the old name.
    @Option(name: [.customLong("min-unsafe"), .customLong("min-score")], help: "Only events whose overall unsafe score is at least this.")
    var minScore: Double?

    enum ReviewState: String, EnumerableFlag {
        case reviewed, unreviewed
    }

    func query(text: String? = nil, page: AuditPageOptions? = nil) throws -> AuditQuery {
        AuditQuery(
            decision: decision, category: category, direction: direction, policyID: policy,
            since: try since.map { try Self.time($0, option: "--since") },
            until: try until.map { try Self.time($0, option: "--until") }, reviewed: reviewState.map { $0 == .reviewed },
            minimumUnsafeScore: minScore, text: text, limit: page?.limit ?? 50, offset: page?.offset ?? 0,
            cursor: page?.cursor)
    }

    static func time(_ text: String, option: String) throws -> Date {
        guard let date = AuditTimeParsing.date(text) else {
            throw ValidationError("\(option) \(text): use a date (2025-01-31), a time (2025-01-31T12:00:00Z) or an age (7d, 12h).")
        }
        return date
    }
}

struct AuditPageOptions: ParsableArguments {
    @Option(help: "Events per page.")
    var limit = 50
    @Option(help: "Skip this many events.")
    var offset = 0
    @Option(help: "Continue after the page that printed this cursor.")
    var cursor: String?

    func validate() throws {
        guard (1...AuditQuery.maximumLimit).contains(limit) else {
            throw ValidationError("--limit must be between 1 and \(AuditQuery.maximumLimit).")
        }
        guard offset >= 0 else { throw ValidationError("--offset must not be negative.") }
    }
}

/// Parses a `String` enum option without a module-wide `ExpressibleByArgument` conformance, which
/// other commands may declare too.
func parseValue<T: RawRepresentable & CaseIterable>(_ text: String, _ option: String) throws -> T
where T.RawValue == String {
    guard let value = T(rawValue: text.lowercased()) else {
        let choices = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw ValidationError("\(option) \(text): use one of \(choices).")
    }
    return value
}

extension Audit {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List events, newest first.")
        @OptionGroup var options: AuditDatabaseOptions
        @OptionGroup var filters: AuditFilterOptions
        @OptionGroup var page: AuditPageOptions

        func run() async throws {
            let store = try await options.open()
            let result = try await store.events(matching: try filters.query(page: page))
            if options.json { try options.printJSON(result) } else { print(AuditTextFormatter.table(result), terminator: "") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one event: messages, scores, violations, reviews.")
        @OptionGroup var options: AuditDatabaseOptions
        @Argument(help: "The event id, or a unique prefix of it (at least 4 characters).")
        var id: String

        func run() async throws {
            let store = try await options.open()
            let eventID = try await store.resolveEventID(id)
            guard let detail = try await store.event(id: eventID) else { throw AuditError.eventNotFound(id) }
            if options.json { try options.printJSON(detail) } else { print(AuditTextFormatter.detail(detail), terminator: "") }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Full-text search of stored message text (all words must occur; word* is a prefix).")
        @OptionGroup var options: AuditDatabaseOptions
        @OptionGroup var filters: AuditFilterOptions
        @OptionGroup var page: AuditPageOptions
        @Argument(help: "Words to search for; quotes and operators are taken literally.")
        var words: [String]

        func run() async throws {
            let store = try await options.open()
            let result = try await store.events(matching: try filters.query(text: words.joined(separator: " "), page: page))
            if options.json { try options.printJSON(result) } else { print(AuditTextFormatter.table(result), terminator: "") }
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a reviewer's label for an event; earlier reviews and the verdict are kept.")
        @OptionGroup var options: AuditDatabaseOptions
        @Argument(help: "The event id, or a unique prefix of it.")
        var id: String
        @Option(help: "unsafe or safe (the review API's `\"unsafe\": true` or `false`).")
        var label: ReviewLabel
        @Option(help: "Comma-separated categories for an unsafe label, e.g. S1,S10 or jailbreak.")
        var categories: String?
        @Option(help: "A free-text note.")
        var note: String?
        @Option(help: "Who reviewed (default: $USER).")
        var reviewer: String?

        enum ReviewLabel: String, ExpressibleByArgument, CaseIterable { case unsafe, safe }

        func run() async throws {
            let store = try await options.open()
            let eventID = try await store.resolveEventID(id)
            let list = (categories ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let taxonomy = try TaxonomyLoader.load(from: Locations.taxonomy(nil))
            let unknown = taxonomy.unknownCategoryNames(list)
            guard unknown.isEmpty else { throw ValidationError(taxonomy.unknownCategoriesMessage(unknown)) }
            let name = reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            let review = AuditReview(eventID: eventID, reviewer: name, unsafe: label == .unsafe, categories: list, note: note)
            try await store.review(eventID: eventID, review)
            guard let detail = try await store.event(id: eventID) else { throw AuditError.eventNotFound(id) }
            if options.json {
                try options.printJSON(detail.reviews)
            } else {
                print("Reviewed \(eventID.uuidString) as \(label.rawValue); \(detail.reviews.count) review(s) on record.")
            }
        }
    }
}

extension Audit {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export reviewed events as JSONL in the training-data schema; the reviewer's label wins.",
            discussion: """
                Events recorded with hashed or no text (audit store_text: hash or none) cannot be exported as \
                text; they are skipped and counted on stderr.
                """)
        @OptionGroup var options: AuditDatabaseOptions
        @Flag(help: "Export reviewed events (the only export there is; required to say so).")
        var reviewed = false
        @Option(help: "Write to this file instead of stdout.")
        var output: String?

        func validate() throws {
            guard reviewed else { throw ValidationError("Only reviewed events can be exported; pass --reviewed.") }
        }

        func run() async throws {
            let store = try await options.open()
            let export = try await store.reviewedExport()
            let lines = try export.jsonLines()
            if let output {
                do {
                    try lines.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw ValidationError("Cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                FileHandle.standardOutput.write(lines)
            }
            let summary = AuditExportSummary(
                exported: export.records.count, skippedWithoutText: export.skippedWithoutText,
                skippedWithoutPrompt: export.skippedWithoutPrompt, output: output)
            if options.json, output != nil {
                try options.printJSON(summary)
            } else {
                FileHandle.standardError.write(Data((summary.text + "\n").utf8))
            }
        }
    }

    struct AuditExportSummary: Encodable {
        var exported: Int
        var skippedWithoutText: Int
        var skippedWithoutPrompt: Int
        var output: String?

        var text: String {
            var text = "Exported \(exported) reviewed event(s)" + (output.map { " to \($0)" } ?? "") + "."
            if skippedWithoutText > 0 {
                text += " Skipped \(skippedWithoutText) recorded without text (store_text: hash or none)."
            }
            if skippedWithoutPrompt > 0 { text += " Skipped \(skippedWithoutPrompt) without a user message." }
            return text
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts per decision, category and day.")
        @OptionGroup var options: AuditDatabaseOptions
        @OptionGroup var filters: AuditFilterOptions

        func run() async throws {
            let store = try await options.open()
            let statistics = try await store.statistics(matching: try filters.query())
            if options.json {
                try options.printJSON(statistics)
            } else {
                print(AuditTextFormatter.statistics(statistics), terminator: "")
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete events (with their messages and reviews) older than an age.")
        @OptionGroup var options: AuditDatabaseOptions
        @Option(help: "Age such as 30d, 12h or 2w.")
        var olderThan: String

        func validate() throws {
            guard AuditTimeParsing.duration(olderThan) != nil else {
                throw ValidationError("--older-than \(olderThan): use an age such as 30d, 12h or 2w.")
            }
        }

        func run() async throws {
            let store = try await options.open()
            let cutoff = Date().addingTimeInterval(-(AuditTimeParsing.duration(olderThan) ?? 0))
            let deleted = try await store.prune(olderThan: cutoff)
            if options.json {
                try options.printJSON(["deleted": deleted])
            } else {
                print("Deleted \(deleted) event(s) older than \(cutoff.formatted(.iso8601)).")
            }
        }
    }

    /// The store's own consistency checks: SQLite's integrity check and full-text index check, or on PostgreSQL
    /// orphaned rows, messages without their search vector and invalid indexes. Exits 1 when something is wrong.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the audit log's consistency (after a crash, a restore).")
        @OptionGroup var options: AuditDatabaseOptions

        func run() async throws {
            let store = try await options.open()
            let problems = try await store.consistencyProblems()
            let events = try await store.count()
            if options.json {
                try options.printJSON(AuditCheckResult(location: store.location, events: events, problems: problems))
            } else if problems.isEmpty {
                print("ok: \(events) events in \(store.location), no problems found")
            } else {
                print("\(problems.count) problem(s) in \(store.location):\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
            }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct AuditCheckResult: Encodable {
        var location: String
        var events: Int
        var problems: [String]
    }

    /// Writes synthetic events in committed batches and prints each batch's last index once committed.
    /// The crash test kills it mid-write and checks that every printed index survived.
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "_load", abstract: "Write synthetic events (for crash and load tests).",
            shouldDisplay: false)
        @OptionGroup var options: AuditDatabaseOptions
        @Option(help: "Events to write.")
        var count = 10_000
        @Option(help: "Events per transaction.")
        var batchSize = 256
        @Option(help: "Index of the first event.")
        var start = 0

        func run() async throws {
            let store = try await options.open(create: true)
            var index = start
            let end = start + max(0, count)
            while index < end {
                let batchEnd = min(end, index + max(1, batchSize))
                let now = Date()
                let batch = (index..<batchEnd).map { SyntheticAuditEvent.make(index: $0, time: now) }
                try await store.record(batch: batch)
                // Unbuffered write: the line must be out before the next batch starts.
                FileHandle.standardOutput.write(Data("\(batchEnd - 1)\n".utf8))
                index = batchEnd
            }
        }
    }
}
