import ArgumentParser
import Foundation
import WardenAudit
import WardenAuditPostgres
import WardenCore

/// `warden bench audit`: sustained events per second through the batched audit writer.
///
/// Producers record realistic events (two messages, eighteen scores, one or two violations) as fast as
/// the writer accepts them; a full queue makes them wait, so the figure is what the database sustains,
/// not how fast a queue fills.
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

    struct Result: Encodable {
        var seconds: Double
        var eventsWritten: Int
        var eventsPerSecond: Double
        var recordMicrosecondsP50: Double
        var recordMicrosecondsP99: Double
        var drainSeconds: Double
        /// Events committed per second of this process's CPU time (all threads, window and drain): a
        /// figure that depends less on what else the machine runs than events per wall-clock second.
        var eventsPerCPUSecond: Double
        var databaseBytes: Int
        var batchSize: Int
        var producers: Int
        var storeText: String
        var store: String
        var durability: String
    }

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
        let writer = AuditWriter(
            store: store,
            configuration: AuditWriterConfiguration(
                failureMode: .failClosed, durability: durability, capacity: capacity, maximumBatchSize: batchSize))
        let loop = Task { await writer.run() }
        let templates = (0..<1_024).map { AuditRedactor.redact(SyntheticAuditEvent.make(index: $0), storage: storeText) }
        let clock = ContinuousClock()
        let cpuStart = Foundation.clock()
        let start = clock.now
        let end = start + .milliseconds(Int(seconds * 1_000))
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for producer in 0..<max(1, producers) {
                group.addTask {
                    try await produce(writer: writer, templates: templates, producer: producer, until: end, clock: clock)
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let windowEnd = clock.now
        let written = writer.metrics.written
        try await writer.shutdown()
        await loop.value
        let drained = clock.now
        let cpuSeconds = Double(Foundation.clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let total = writer.metrics.written
        let elapsed = (windowEnd - start).timeInterval
        let sorted = latencies.sorted()
        let bytes = auditUrl != nil ? 0 : ["", "-wal"].compactMap {
            (try? FileManager.default.attributesOfItem(atPath: path + $0)[.size]) as? Int
        }.reduce(0, +)
        let result = Result(
            seconds: elapsed, eventsWritten: written, eventsPerSecond: Double(written) / elapsed,
            recordMicrosecondsP50: percentile(sorted, 0.5), recordMicrosecondsP99: percentile(sorted, 0.99),
            drainSeconds: (drained - windowEnd).timeInterval,
            eventsPerCPUSecond: cpuSeconds > 0 ? Double(total) / cpuSeconds : 0, databaseBytes: bytes, batchSize: batchSize,
            producers: producers, storeText: storeText.rawValue, store: auditUrl == nil ? "sqlite" : "postgres",
            durability: durability.rawValue)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(String(
                format: "audit writer (%@, %@): %.0f events/s sustained (%d events in %.1f s, batch %d, %d producers, text %@)",
                result.store, durability.rawValue, result.eventsPerSecond, written, elapsed, batchSize, producers, storeText.rawValue))
            print(String(
                format: "record(): p50 %.1f µs, p99 %.1f µs; drain after stop %.2f s; %.0f events per CPU-second; file %.1f MB",
                result.recordMicrosecondsP50, result.recordMicrosecondsP99, result.drainSeconds,
                result.eventsPerCPUSecond, Double(bytes) / 1_048_576))
        }
    }

    /// Records copies of the templates with fresh ids until `end`; waits briefly when the queue is full.
    private func produce(
        writer: AuditWriter, templates: [AuditEvent], producer: Int, until end: ContinuousClock.Instant,
        clock: ContinuousClock
    ) async throws -> [Double] {
        var latencies: [Double] = []
        var index = producer
        // Open loop: each producer starts its events on a fixed schedule, so a slow record() does not lower the rate
        // and its latency is what a request arriving at that rate would wait (in commit mode, for its commit).
        let interval: Duration? = rate.map { .nanoseconds(Int64(1e9 * Double(max(1, producers)) / max($0, 0.001))) }
        var next = clock.now + (interval ?? .zero) * Double(producer) / Double(max(1, producers))
        while clock.now < end {
            if let interval {
                if next > clock.now { try await Task.sleep(until: next, clock: clock) }
                next += interval
            }
            var event = templates[index % templates.count]
            event.id = UUID()
            event.time = Date()
            let before = clock.now
            do {
                try await writer.record(event)
            } catch AuditError.queueFull {
                try await Task.sleep(for: .milliseconds(1))
                continue
            }
            if index % 16 == 0 || rate != nil { latencies.append((clock.now - before).timeInterval * 1e6) }
            index += max(1, producers)
        }
        return latencies
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
}

extension Duration {
    fileprivate var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
