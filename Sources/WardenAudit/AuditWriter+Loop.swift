import Foundation
import WardenCore

extension AuditWriter {
    /// The batching loop: take up to a batch, write it in one transaction, remove it only once committed.
    func writeLoop() async {
        let clock = ContinuousClock()
        // A database that opened but cannot be written (a read-only file, an unreachable server) must not look ready
        // until a write fails.
        do {
            try await store.probeWritable()
        } catch {
            recordFailure(error)
            try? await store.recover(after: error)
        }
        var backoff = configuration.initialBackoff
        var nextRetention = clock.now
        var shutdownDeadline: ContinuousClock.Instant?
        while true {
            let (pending, shuttingDown) = peekState()
            if shuttingDown && shutdownDeadline == nil { shutdownDeadline = clock.now + configuration.shutdownTimeout }
            if !shuttingDown, configuration.retentionDays != nil || retentionByPolicy != nil, clock.now >= nextRetention {
                nextRetention = await runRetention(clock: clock)
            }
            if pending == 0 {
                if shuttingDown { return }
                if !isDatabaseAvailable {
                    // Nothing queued to retry with: probe instead, so readiness recovers with the database, and so
                    // does a fail-closed writer (which refuses every event meanwhile, so none would come to retry).
                    await pause(backoff)
                    do {
                        try await store.probeWritable()
                        commit(0)
                        backoff = configuration.initialBackoff
                    } catch {
                        recordFailure(error)
                        try? await store.recover(after: error)
                        backoff = min(backoff * 2, configuration.maximumBackoff)
                    }
                    continue
                }
                await waitForEvents()
                continue
            }
            // Commit durability writes at once (group commit): callers are waiting, and what queues during one
            // commit is the next batch, so batches still grow with load without a flush interval on every response.
            if pending < configuration.maximumBatchSize && !shuttingDown && configuration.durability == .batched {
                await gather(clock: clock)
            }
            let batch = takeBatch()
            do {
                // Checked before each batch, so no batch lands in a file that was deleted under the server.
                try store.verifyBeforeWrite()
                try await write(batch.map(\.event))
                commit(batch.count)
                backoff = configuration.initialBackoff
            } catch {
                recordFailure(error)
                failWaiters(of: batch.count, with: error)
                do { try await store.recover(after: error) } catch { recordFailure(error) }
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
    /// The global ``AuditWriterConfiguration/retentionDays`` applies to every event; a policy's `retention_days`
    /// (from ``retentionByPolicy``, read afresh each run so hot-reloaded policies count) to that policy's events.
    private func runRetention(clock: ContinuousClock) async -> ContinuousClock.Instant {
        var rules: [(policyID: String?, days: Int)] = configuration.retentionDays.map { [(nil, $0)] } ?? []
        rules += (retentionByPolicy?() ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let chunkSize = 2_000
        do {
            var more = false
            for rule in rules {
                let cutoff = Date().addingTimeInterval(-Double(rule.days) * 86_400)
                let deleted = try await store.pruneChunk(olderThan: cutoff, policyID: rule.policyID, chunkSize: chunkSize)
                state.withLock { $0.metrics.pruned += deleted }
                more = more || deleted == chunkSize
            }
            // A full chunk means more is due: come back on the next turn of the loop.
            return more ? clock.now : clock.now + configuration.retentionInterval
        } catch {
            // Not a write failure: it must not make a fail-closed writer refuse events while the queue is empty.
            state.withLock { $0.metrics.failedPrunes += 1 }
            return clock.now + configuration.retentionInterval
        }
    }

    private func peekState() -> (pending: Int, shuttingDown: Bool) {
        state.withLock { ($0.pending, $0.shuttingDown) }
    }

    private var isDatabaseAvailable: Bool { state.withLock { $0.metrics.isDatabaseAvailable } }

    /// Tells the callers waiting for the first `count` queued events (commit durability) that their write failed;
    /// the events stay queued and are retried.
    private func failWaiters(of count: Int, with error: any Error) {
        let reason = (error as? AuditError)?.description ?? String(describing: error)
        let refusal: AuditError = configuration.failureMode == .failClosed
            ? .databaseUnavailable(path: store.location, reason: reason)
            : .commitUnconfirmed(path: store.location, reason: reason)
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            var waiters: [CheckedContinuation<Void, any Error>] = []
            for index in state.head..<min(state.queue.count, state.head + count) {
                if let waiter = state.queue[index].waiter { waiters.append(waiter) }
                state.queue[index].waiter = nil
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: refusal) }
    }

    /// After a shutdown that could not drain: callers still waiting for a commit learn that it will not come.
    func abandonWaiters() {
        let (waiters, reason) = state.withLock { state -> ([CheckedContinuation<Void, any Error>], String) in
            var waiters: [CheckedContinuation<Void, any Error>] = []
            for index in state.head..<state.queue.count {
                if let waiter = state.queue[index].waiter { waiters.append(waiter) }
                state.queue[index].waiter = nil
            }
            return (waiters, state.metrics.lastError ?? "the writer shut down")
        }
        let error: AuditError = configuration.failureMode == .failClosed
            ? .databaseUnavailable(path: store.location, reason: reason) : .commitUnconfirmed(path: store.location, reason: reason)
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    private func takeBatch() -> [Pending] {
        state.withLock { state in
            let end = min(state.queue.count, state.head + configuration.maximumBatchSize)
            return Array(state.queue[state.head..<end])
        }
    }

    private func commit(_ count: Int) {
        let (waiters, recovered) = state.withLock { state -> ([CheckedContinuation<Void, any Error>], (failedWrites: Int, error: String?)?) in
            let waiters = state.queue[state.head..<state.head + count].compactMap(\.waiter)
            let recovered = state.metrics.isDatabaseAvailable ? nil : (state.metrics.failedWrites, state.metrics.lastError)
            state.head += count
            // Compact once the written prefix dominates, so removal stays amortised O(1) per event.
            if state.head >= 4_096 && state.head * 2 >= state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            state.metrics.written += count
            state.metrics.isDatabaseAvailable = true
            state.metrics.lastError = nil
            return (waiters, recovered)
        }
        for waiter in waiters { waiter.resume() }
        if let recovered {
            logger.notice("audit database writable again; queued events written", metadata: [
                "audit.path": "\(store.location)", "audit.failed_writes": "\(recovered.failedWrites)",
                "audit.last_error": "\(recovered.error ?? "")",
            ])
        }
    }

    /// Counts a failed write, and logs when the database goes from available to unavailable (not on every retry).
    func recordFailure(_ error: any Error) {
        let message = (error as? AuditError)?.description ?? String(describing: error)
        let (wasAvailable, pending) = state.withLock { state in
            defer {
                state.metrics.failedWrites += 1
                state.metrics.isDatabaseAvailable = false
                state.metrics.lastError = message
            }
            return (state.metrics.isDatabaseAvailable, state.pending)
        }
        if wasAvailable {
            logger.error("audit database unavailable; events stay queued and are retried", metadata: [
                "audit.path": "\(store.location)", "audit.error": "\(message)", "audit.queued": "\(pending)",
                "audit.failure_mode": "\(configuration.failureMode.rawValue)",
            ])
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
