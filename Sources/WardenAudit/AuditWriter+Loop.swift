import Foundation
import WardenCore

extension AuditWriter {
    /// The batching loop: take up to a batch, write it in one transaction, remove it only once committed.
    func writeLoop() async {
        let clock = ContinuousClock()
        var backoff = configuration.initialBackoff
        var nextRetention = clock.now
        var shutdownDeadline: ContinuousClock.Instant?
        while true {
            let (pending, shuttingDown) = peekState()
            if shuttingDown && shutdownDeadline == nil { shutdownDeadline = clock.now + configuration.shutdownTimeout }
            if !shuttingDown, configuration.retentionDays != nil, clock.now >= nextRetention {
                nextRetention = await runRetention(clock: clock)
            }
            if pending == 0 {
                if shuttingDown { return }
                await waitForEvents()
                continue
            }
            if pending < configuration.maximumBatchSize && !shuttingDown {
                await gather(clock: clock)
            }
            let batch = takeBatch()
            do {
                try await write(batch)
                commit(batch.count)
                backoff = configuration.initialBackoff
            } catch {
                recordFailure(error)
                if let deadline = shutdownDeadline, clock.now >= deadline { return }
                await pause(backoff)
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
    }

    /// GRDB refuses work from a cancelled task; a cancelled loop is draining, so it writes from a fresh one.
    private func write(_ batch: [AuditEvent]) async throws {
        if Task.isCancelled {
            let store = store
            try await Task.detached { try await store.record(batch: batch) }.value
        } else {
            try await store.record(batch: batch)
        }
    }

    /// Prunes one chunk per call so a large backlog never stalls writes for long; returns when to run next.
    private func runRetention(clock: ContinuousClock) async -> ContinuousClock.Instant {
        guard let days = configuration.retentionDays else { return clock.now + configuration.retentionInterval }
        let cutoff = Date().addingTimeInterval(-Double(days) * 86_400)
        let chunkSize = 2_000
        do {
            let deleted = try await store.pruneChunk(olderThan: cutoff, chunkSize: chunkSize)
            state.withLock { $0.metrics.pruned += deleted }
            // A full chunk means more is due: come back on the next turn of the loop.
            return deleted == chunkSize ? clock.now : clock.now + configuration.retentionInterval
        } catch {
            // Not a write failure: it must not make a fail-closed writer refuse events while the queue is empty.
            state.withLock { $0.metrics.failedPrunes += 1 }
            return clock.now + configuration.retentionInterval
        }
    }

    private func peekState() -> (pending: Int, shuttingDown: Bool) {
        state.withLock { ($0.pending, $0.shuttingDown) }
    }

    private func takeBatch() -> [AuditEvent] {
        state.withLock { state in
            let end = min(state.queue.count, state.head + configuration.maximumBatchSize)
            return Array(state.queue[state.head..<end])
        }
    }

    private func commit(_ count: Int) {
        state.withLock { state in
            state.head += count
            // Compact once the written prefix dominates, so removal stays amortised O(1) per event.
            if state.head >= 4_096 && state.head * 2 >= state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            state.metrics.written += count
            state.metrics.isDatabaseAvailable = true
            state.metrics.lastError = nil
        }
    }

    private func recordFailure(_ error: any Error) {
        let message = (error as? AuditError)?.description ?? String(describing: error)
        state.withLock { state in
            state.metrics.failedWrites += 1
            state.metrics.isDatabaseAvailable = false
            state.metrics.lastError = message
        }
    }

    private func waitForEvents() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                let ready = state.pending > 0 || state.shuttingDown
                if !ready { state.idleWaiter = continuation }
                return ready
            }
            if ready { continuation.resume() }
        }
    }

    /// Lets a partial batch fill for up to the flush interval; ends early on a full batch or shutdown.
    private func gather(clock: ContinuousClock) async {
        let deadline = clock.now + configuration.flushInterval
        let slice = min(configuration.flushInterval, .milliseconds(5))
        while clock.now < deadline {
            await pause(slice)
            let (pending, shuttingDown) = peekState()
            if shuttingDown || pending >= configuration.maximumBatchSize { return }
        }
    }

    /// Sleeps even when the task is cancelled: a cancelled loop is draining and must not spin.
    private func pause(_ duration: Duration) async {
        await Task.detached { try? await Task.sleep(for: duration) }.value
    }
}
