import Foundation
import Logging
import Synchronization
import WardenCore

/// Records events off the request path: `record` enqueues (and, with ``AuditDurability/commit``, waits for the
/// commit); ``run()`` writes batches in one transaction each.
///
/// Run it for the life of the server (`run()` returns after ``shutdown()`` has drained the queue), or
/// call only `shutdown()`, which drains by itself when `run()` was never started. Nothing is lost
/// silently: events are retried while the database is unavailable (on a fresh connection when the file was
/// removed or read-only, so a restored file or permission takes effect), drops past the bound throw
/// (``AuditError/eventDropped(capacity:)`` under fail-open, so no audit ID is handed out; a refusal under
/// fail-closed), every change of availability is logged, and a shutdown that cannot drain throws.
public final class AuditWriter: AuditStore, Sendable {
    public let store: any AuditLogStore
    public let configuration: AuditWriterConfiguration
    let logger: Logger
    /// Retention days by policy ID (each policy's `audit.retention_days`), asked at every retention run.
    let retentionByPolicy: (@Sendable () -> [String: Int])?
    let state = Mutex(State())

    /// A queued event and, under ``AuditDurability/commit``, the caller waiting for its commit.
    struct Pending {
        var event: AuditEvent
        var waiter: CheckedContinuation<Void, any Error>?
    }

    struct State {
        /// Pending events are `queue[head...]`; the prefix is compacted away in batches.
        var queue: [Pending] = []
        var head = 0
        var metrics = AuditWriterMetrics(
            queueDepth: 0, dropped: 0, written: 0, failedWrites: 0, pruned: 0, failedPrunes: 0, isDatabaseAvailable: true,
            lastError: nil)
        var shuttingDown = false
        var isRunning = false
        var isFinished = false
        var idleWaiter: CheckedContinuation<Void, Never>?
        var finishWaiters: [CheckedContinuation<Void, Never>] = []

        var pending: Int { queue.count - head }
    }

    public init(
        store: any AuditLogStore, configuration: AuditWriterConfiguration = AuditWriterConfiguration(),
        logger: Logger = Logger(label: "warden.audit"), retentionByPolicy: (@Sendable () -> [String: Int])? = nil
    ) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.retentionByPolicy = retentionByPolicy
    }

    // MARK: - Recording

    /// Queues `event` for the next batch and returns; with ``AuditDurability/commit``, returns once it is committed.
    ///
    /// - Throws: fail-closed: ``AuditError/databaseUnavailable(path:reason:)`` while writes fail (in commit mode
    ///   also when this event's write fails), ``AuditError/queueFull(capacity:)`` when the queue is full.
    ///   Fail-open: ``AuditError/eventDropped(capacity:)`` when the queue is full, and in commit mode
    ///   ``AuditError/commitUnconfirmed(path:reason:)`` when the write fails (the event stays queued). Either
    ///   mode: ``AuditError/writerShutDown`` after ``shutdown()``.
    public func record(_ event: AuditEvent) async throws {
        guard configuration.durability == .commit else { return try enqueue(event) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            do {
                try enqueue(Pending(event: event, waiter: continuation))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Queues `event` without waiting for its commit, whatever the durability, for callers outside async contexts.
    public func enqueue(_ event: AuditEvent) throws {
        try enqueue(Pending(event: event, waiter: nil))
    }

    private func enqueue(_ pending: Pending) throws {
        let failClosed = configuration.failureMode == .failClosed
        let waiter = try state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.shuttingDown else { throw AuditError.writerShutDown }
            if failClosed && !state.metrics.isDatabaseAvailable {
                throw AuditError.databaseUnavailable(path: store.location, reason: state.metrics.lastError ?? "write failed")
            }
            guard state.pending < configuration.capacity else {
                if failClosed { throw AuditError.queueFull(capacity: configuration.capacity) }
                state.metrics.dropped += 1
                throw AuditError.eventDropped(capacity: configuration.capacity)
            }
            state.queue.append(pending)
            let waiter = state.idleWaiter
            state.idleWaiter = nil
            return waiter
        }
        waiter?.resume()
    }

    // MARK: - Metrics

    public var metrics: AuditWriterMetrics {
        state.withLock { state in
            var metrics = state.metrics
            metrics.queueDepth = state.pending
            return metrics
        }
    }

    /// Events accepted and not yet committed.
    public var queueDepth: Int { state.withLock { $0.pending } }
    /// Events dropped because the queue was full (fail-open).
    public var droppedCount: Int { state.withLock { $0.metrics.dropped } }

    // MARK: - Lifecycle

    /// Writes batches until ``shutdown()`` (or cancellation), then drains the queue and returns.
    ///
    /// Also runs retention when ``AuditWriterConfiguration/retentionDays`` is set. A second concurrent
    /// call waits for the first to finish.
    public func run() async {
        let alreadyRunning = state.withLock { state in
            defer { state.isRunning = true }
            return state.isRunning
        }
        guard !alreadyRunning else { return await waitUntilFinished() }
        await withTaskCancellationHandler {
            await writeLoop()
        } onCancel: {
            requestShutdown()
        }
        abandonWaiters()
        let waiters = state.withLock { state in
            state.isFinished = true
            defer { state.finishWaiters = [] }
            return state.finishWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops accepting events, writes everything queued, and returns when the queue is empty.
    ///
    /// - Throws: ``AuditError/shutdownIncomplete(path:unwritten:reason:)`` when the database stayed
    ///   unavailable for ``AuditWriterConfiguration/shutdownTimeout``; the count says how many events were lost.
    public func shutdown() async throws {
        requestShutdown()
        let isRunning = state.withLock { $0.isRunning }
        if isRunning { await waitUntilFinished() } else { await run() }
        let (unwritten, reason) = state.withLock { ($0.pending, $0.metrics.lastError) }
        if unwritten > 0 {
            throw AuditError.shutdownIncomplete(
                path: store.location, unwritten: unwritten, reason: reason ?? "the database stayed unavailable")
        }
    }

    private func requestShutdown() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.shuttingDown = true
            defer { state.idleWaiter = nil }
            return state.idleWaiter
        }
        waiter?.resume()
    }

    private func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state in
                if !state.isFinished { state.finishWaiters.append(continuation) }
                return state.isFinished
            }
            if finished { continuation.resume() }
        }
    }
}
