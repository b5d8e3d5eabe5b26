import Foundation

/// What the batched writer does when the database cannot be written.
public enum AuditFailureMode: String, Sendable, Codable, CaseIterable {
    /// Keep serving: events stay queued and are retried; past the queue's capacity they are dropped and
    /// counted in ``AuditWriterMetrics/dropped``.
    case failOpen = "fail-open"
    /// Refuse: `record` throws while the database is unavailable or the queue is full, so the caller
    /// refuses the request rather than serve it unaudited.
    case failClosed = "fail-closed"
}

/// When ``AuditWriter/record(_:)`` returns, and so what an audit ID in a response guarantees.
public enum AuditDurability: String, Sendable, Codable, CaseIterable {
    /// `record` returns once the event is queued; it is committed within about ``AuditWriterConfiguration/flushInterval``.
    /// A crash (`kill -9`, power loss) loses the events queued in that window although their requests were answered.
    case batched
    /// `record` returns once the event's batch is committed: an answered request's event survives a crash. Costs
    /// one transaction on every recorded request: the writer does not wait for the flush interval but commits at
    /// once, and what queues meanwhile goes in the next batch (group commit).
    case commit
}

/// Tuning of ``AuditWriter``.
public struct AuditWriterConfiguration: Sendable, Hashable {
    public var failureMode: AuditFailureMode
    public var durability: AuditDurability
    /// Events waiting to be written, at most. Bounds memory while the database is slow or down.
    public var capacity: Int
    /// Events per transaction, at most.
    public var maximumBatchSize: Int
    /// How long a partial batch waits for more events: the added latency of an event reaching the file.
    public var flushInterval: Duration
    /// First pause after a failed write; doubled per failure up to `maximumBackoff`.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// Delete events older than this many days; `nil` keeps everything.
    public var retentionDays: Int?
    /// How often retention runs (and once when the writer starts).
    public var retentionInterval: Duration
    /// How long ``AuditWriter/shutdown()`` keeps retrying an unavailable database before giving up.
    public var shutdownTimeout: Duration

    public init(
        failureMode: AuditFailureMode = .failOpen, durability: AuditDurability = .batched, capacity: Int = 10_000, maximumBatchSize: Int = 256,
        flushInterval: Duration = .milliseconds(50), initialBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(5), retentionDays: Int? = nil, retentionInterval: Duration = .seconds(3_600),
        shutdownTimeout: Duration = .seconds(10)
    ) {
        self.failureMode = failureMode
        self.durability = durability
        self.capacity = max(1, capacity)
        self.maximumBatchSize = max(1, maximumBatchSize)
        self.flushInterval = flushInterval
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.retentionDays = retentionDays
        self.retentionInterval = retentionInterval
        self.shutdownTimeout = shutdownTimeout
    }
}

/// The writer's counters, for `/metrics` and health checks.
public struct AuditWriterMetrics: Sendable, Hashable, Codable {
    /// Events accepted and not yet committed.
    public var queueDepth: Int
    /// Events dropped because the queue was full in fail-open mode (only grows).
    public var dropped: Int
    /// Events committed to the database.
    public var written: Int
    /// Batch writes that failed (each is retried).
    public var failedWrites: Int
    /// Events deleted by retention.
    public var pruned: Int
    /// Retention runs that failed (retried at the next interval).
    public var failedPrunes: Int
    /// False from a failed write until the next successful one.
    public var isDatabaseAvailable: Bool
    /// The last write error, while the database is unavailable.
    public var lastError: String?
}
