import Foundation
import WardenAudit
import WardenCore

/// Sustained audit events per second through the batched writer, on any store.
///
/// Producers record realistic events (two messages, eighteen scores, one or two violations) as fast as the writer
/// accepts them, or on a fixed schedule (`rate`); a full queue makes them wait, so the figure is what the database
/// sustains, not how fast a queue fills.
public struct AuditBenchmark: Sendable {
    public var seconds: Double
    public var durability: AuditDurability
    public var producers: Int
    public var batchSize: Int
    public var capacity: Int
    public var storeText: TextStorage
    /// Open loop: events per second in all, spread over the producers; nil records as fast as accepted.
    public var rate: Double?

    public init(
        seconds: Double, durability: AuditDurability, producers: Int, batchSize: Int, capacity: Int,
        storeText: TextStorage, rate: Double?
    ) {
        self.seconds = seconds
        self.durability = durability
        self.producers = max(1, producers)
        self.batchSize = batchSize
        self.capacity = capacity
        self.storeText = storeText
        self.rate = rate
    }

    public struct Result: Encodable, Sendable {
        public var seconds: Double
        public var eventsWritten: Int
        public var eventsPerSecond: Double
        public var recordMicrosecondsP50: Double
        public var recordMicrosecondsP99: Double
        public var drainSeconds: Double
        /// Events committed per second of this process's CPU time (all threads, window and drain): a figure that
        /// depends less on what else the machine runs than events per wall-clock second.
        public var eventsPerCPUSecond: Double
        public var databaseBytes: Int
        public var batchSize: Int
        public var producers: Int
        public var storeText: String
        public var store: String
        public var durability: String
    }

    /// Runs the producers against `store` for `seconds`, then drains the writer. `storeName` and `databaseBytes`
    /// (read after the drain) only label the result.
    public func run(store: any AuditLogStore, storeName: String, databaseBytes: () -> Int = { 0 }) async throws -> Result {
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
            for producer in 0..<producers {
                group.addTask { try await produce(writer: writer, templates: templates, producer: producer, until: end, clock: clock) }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }
        }
        let windowEnd = clock.now
        let written = writer.metrics.written
        try await writer.shutdown()
        await loop.value
        let drained = clock.now
        let cpuSeconds = Double(Foundation.clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let elapsed = (windowEnd - start).seconds
        let sorted = latencies.sorted()
        return Result(
            seconds: elapsed, eventsWritten: written, eventsPerSecond: Double(written) / elapsed,
            recordMicrosecondsP50: BenchFormat.percentile(sorted, 0.5), recordMicrosecondsP99: BenchFormat.percentile(sorted, 0.99),
            drainSeconds: (drained - windowEnd).seconds,
            eventsPerCPUSecond: cpuSeconds > 0 ? Double(writer.metrics.written) / cpuSeconds : 0, databaseBytes: databaseBytes(),
            batchSize: batchSize, producers: producers, storeText: storeText.rawValue, store: storeName,
            durability: durability.rawValue)
    }

    /// Records copies of the templates with fresh ids until `end`; waits briefly when the queue is full.
    private func produce(
        writer: AuditWriter, templates: [AuditEvent], producer: Int, until end: ContinuousClock.Instant, clock: ContinuousClock
    ) async throws -> [Double] {
        var latencies: [Double] = []
        var index = producer
        // Open loop: each producer starts its events on a fixed schedule, so a slow record() does not lower the rate
        // and its latency is what a request arriving at that rate would wait (in commit mode, for its commit).
        let interval: Duration? = rate.map { .nanoseconds(Int64(1e9 * Double(producers) / max($0, 0.001))) }
        var next = clock.now + (interval ?? .zero) * Double(producer) / Double(producers)
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
            if index % 16 == 0 || rate != nil { latencies.append((clock.now - before).seconds * 1e6) }
            index += producers
        }
        return latencies
    }
}
