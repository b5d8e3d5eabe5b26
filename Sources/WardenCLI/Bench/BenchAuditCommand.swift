import ArgumentParser
import Foundation
import WardenAudit
import WardenAuditPostgres
import WardenBench
import WardenCore

/// `warden bench audit`: sustained events per second through the batched audit writer (``AuditBenchmark``).
struct BenchAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Measure sustained audit events/s through the batched writer.")

    @Option(help: "How long to record, in seconds.")
    var seconds = 10.0
    @Option(help: "Database file (default: a temporary file, deleted afterwards).")
    var database: String?
    @Option(help: "Write to this PostgreSQL database instead (postgres://user@host:port/db); its events are kept.")
    var auditUrl: String?
    @Option(help: "batched (record returns once queued) or commit (once committed).", transform: { try parseValue($0, "--durability") })
    var durability: AuditDurability = .batched
    @Option(help: "Concurrent producer tasks.")
    var producers = 4
    @Option(help: "Events per transaction.")
    var batchSize = 256
    @Option(help: "Writer queue capacity.")
    var capacity = 10_000
    @Option(help: "Text storage: full, hash or none.", transform: { try parseValue($0, "--store-text") })
    var storeText: TextStorage = .full
    @Option(help: "Open loop: events per second in all, spread over the producers (default: as fast as accepted).")
    var rate: Double?
    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let temporary = database == nil
        let path = database ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("warden-bench-audit-\(UUID().uuidString).sqlite").path
        defer {
            if temporary { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        }
        let store: any AuditLogStore = if let auditUrl {
            try await PostgresAuditStore.connect(url: auditUrl)
        } else {
            try SQLiteAuditStore(path: path)
        }
        let benchmark = AuditBenchmark(
            seconds: seconds, durability: durability, producers: producers, batchSize: batchSize, capacity: capacity,
            storeText: storeText, rate: rate)
        let result = try await benchmark.run(store: store, storeName: auditUrl == nil ? "sqlite" : "postgres") {
            auditUrl != nil ? 0 : ["", "-wal"].compactMap {
                (try? FileManager.default.attributesOfItem(atPath: path + $0)[.size]) as? Int
            }.reduce(0, +)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(String(
                format: "audit writer (%@, %@): %.0f events/s sustained (%d events in %.1f s, batch %d, %d producers, text %@)",
                result.store, durability.rawValue, result.eventsPerSecond, result.eventsWritten, result.seconds, batchSize, result.producers, storeText.rawValue))
            print(String(
                format: "record(): p50 %.1f µs, p99 %.1f µs; drain after stop %.2f s; %.0f events per CPU-second; file %.1f MB",
                result.recordMicrosecondsP50, result.recordMicrosecondsP99, result.drainSeconds,
                result.eventsPerCPUSecond, Double(result.databaseBytes) / 1_048_576))
        }
    }
}
