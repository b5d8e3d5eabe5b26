import ServiceLifecycle
import Synchronization
import WardenCore

/// Makes concurrent requests share forward passes: calls queue up, and one loop hands the queued
/// inputs to the wrapped classifier in batches of at most ``BatchingOptions/maxBatchSize``, then
/// fans the scores back out.
///
/// An idle loop waits ``BatchingOptions/maxWait`` after the first arrival so that others can join;
/// under load no wait is needed, since requests pile up while the previous batch runs. The queue is
/// bounded: past ``BatchingOptions/queueCapacity`` inputs, calls fail at once with
/// ``BatchingError/overloaded(capacity:)`` (the server answers 503). A cancelled call (a timed-out
/// request) leaves the queue before its forward pass.
///
/// The loop is a `Service`: run it for the life of the server (calls wait until it runs). On graceful
/// shutdown it stops accepting calls, finishes the queued ones, and returns.
public final class BatchingClassifier: SafetyClassifier, Service, Sendable {
    public let base: any SafetyClassifier
    public let options: BatchingOptions
    let observer: BatchObserver
    private let state = Mutex(State())

    private struct Pending: Sendable {
        var id: UInt64
        var inputs: [ClassificationInput]
        var continuation: CheckedContinuation<[LabelScores], any Error>
        var arrived: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var queue: [Pending] = []
        var queuedInputs = 0
        var nextID: UInt64 = 0
        var accepting = true
        var wakeUp: CheckedContinuation<Void, Never>?
    }

    public init(_ base: any SafetyClassifier, options: BatchingOptions = BatchingOptions(), observer: BatchObserver = BatchObserver()) {
        self.base = base
        self.options = options
        self.observer = observer
    }

    public var modelID: String { base.modelID }
    public var labels: [String] { base.labels }
    public var operatingThresholds: [String: Double] { base.operatingThresholds }

    /// Inputs waiting for a forward pass.
    public var queueDepth: Int { state.withLock { $0.queuedInputs } }

    /// Whether `count` more inputs would be refused now (a cheap check before starting a request).
    public func isSaturated(adding count: Int = 1) -> Bool {
        state.withLock { $0.queuedInputs > 0 && $0.queuedInputs + count > options.queueCapacity }
    }

    // MARK: - Calls

    /// Queues `inputs` for the next batch and returns their scores.
    /// - Throws: ``BatchingError``, `CancellationError`, or the wrapped classifier's error.
    public func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        guard !inputs.isEmpty else { return [] }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(Pending(id: id, inputs: inputs, continuation: continuation, arrived: .now))
            }
        } onCancel: {
            let removed = state.withLock { state -> Pending? in
                guard let index = state.queue.firstIndex(where: { $0.id == id }) else { return nil }
                let pending = state.queue.remove(at: index)
                state.queuedInputs -= pending.inputs.count
                return pending
            }
            removed?.continuation.resume(throwing: CancellationError())
        }
    }

    private func enqueue(_ pending: Pending) {
        let count = pending.inputs.count
        let (refusal, waker, depth) = state.withLock { state -> ((any Error)?, CheckedContinuation<Void, Never>?, Int) in
            // Checked under the lock: a cancellation handler that ran before this found nothing to remove.
            if Task.isCancelled { return (CancellationError(), nil, state.queuedInputs) }
            guard state.accepting else { return (BatchingError.shuttingDown, nil, state.queuedInputs) }
            // A single call larger than the whole queue is still served when the queue is empty.
            if state.queuedInputs > 0 && state.queuedInputs + count > options.queueCapacity {
                return (BatchingError.overloaded(capacity: options.queueCapacity), nil, state.queuedInputs)
            }
            state.queue.append(pending)
            state.queuedInputs += count
            defer { state.wakeUp = nil }
            return (nil, state.wakeUp, state.queuedInputs)
        }
        if let refusal {
            if case BatchingError.overloaded = refusal { observer.rejected() }
            pending.continuation.resume(throwing: refusal)
            return
        }
        observer.queueDepth(depth)
        waker?.resume()
    }

    // MARK: - The loop

    /// Forms and runs batches until graceful shutdown (or cancellation), then drains the queue.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await loop()
            } onCancel: {
                self.stopAccepting()
            }
        } onGracefulShutdown: {
            self.stopAccepting()
        }
    }

    /// Stops accepting calls; queued calls are still served.
    public func stopAccepting() {
        let waker = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.accepting = false
            defer { state.wakeUp = nil }
            return state.wakeUp
        }
        waker?.resume()
    }

    private func loop() async {
        while await waitForWork() {
            let deadline = state.withLock { $0.queue.first.map { $0.arrived + options.maxWait } }
            if let deadline, (queueDepth < options.maxBatchSize), (deadline > ContinuousClock.now) {
                try? await Task.sleep(until: deadline)
            }
            let batch = takeBatch()
            guard !batch.isEmpty else { continue }
            await runBatch(batch)
        }
    }

    /// Waits until something is queued; `false` when shutting down with an empty queue.
    private func waitForWork() async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if !state.queue.isEmpty || !state.accepting { return true }
                state.wakeUp = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        return state.withLock { !$0.queue.isEmpty }
    }

    /// The oldest calls whose inputs fit in one batch (at least one call).
    private func takeBatch() -> [Pending] {
        let (batch, depth) = state.withLock { state -> ([Pending], Int) in
            var taken = 0
            var size = 0
            for pending in state.queue {
                if taken > 0 && size + pending.inputs.count > options.maxBatchSize { break }
                taken += 1
                size += pending.inputs.count
            }
            let batch = Array(state.queue.prefix(taken))
            state.queue.removeFirst(taken)
            state.queuedInputs -= size
            return (batch, state.queuedInputs)
        }
        observer.queueDepth(depth)
        return batch
    }

    private func runBatch(_ batch: [Pending]) async {
        let inputs = batch.flatMap(\.inputs)
        let started = ContinuousClock.now
        do {
            let scores = try await base.classify(inputs)
            guard scores.count == inputs.count else {
                throw ClassifierError.unavailable("it returned \(scores.count) results for a batch of \(inputs.count)")
            }
            observer.batch(inputs.count, .now - started)
            var offset = 0
            for pending in batch {
                let count = pending.inputs.count
                pending.continuation.resume(returning: Array(scores[offset..<offset + count]))
                offset += count
            }
        } catch {
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }
}

/// Callbacks for metrics: batch sizes and durations, queue depth, refusals.
public struct BatchObserver: Sendable {
    public var batch: @Sendable (_ size: Int, _ duration: Duration) -> Void
    public var queueDepth: @Sendable (_ inputs: Int) -> Void
    public var rejected: @Sendable () -> Void

    public init(
        batch: @escaping @Sendable (Int, Duration) -> Void = { _, _ in },
        queueDepth: @escaping @Sendable (Int) -> Void = { _ in },
        rejected: @escaping @Sendable () -> Void = {}
    ) {
        self.batch = batch
        self.queueDepth = queueDepth
        self.rejected = rejected
    }
}

/// Why the batcher refused a call.
public enum BatchingError: CapacityRefusal, Sendable, Hashable, CustomStringConvertible {
    /// The queue holds `capacity` inputs already; retry later.
    case overloaded(capacity: Int)
    /// The server is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case .overloaded(let capacity):
            "the classifier queue is full (\(capacity) inputs waiting); retry later"
        case .shuttingDown: "the server is shutting down"
        }
    }

    public var isCapacityRefusal: Bool {
        if case .overloaded = self { return true }
        return false
    }
}
