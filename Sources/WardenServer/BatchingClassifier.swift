import ServiceLifecycle
import Synchronization
import WardenCore

/// Makes concurrent requests share forward passes, scheduled by cost: calls queue up as the windows the classifier
/// scores (see ``WindowedClassifier``), and one loop runs batches of at most ``BatchingOptions/maxBatchSize``
/// windows, taken round-robin from the waiting calls, then fans the merged scores back out.
///
/// Cost is bounded three ways. A call of more than ``BatchingOptions/maxRequestWindows`` windows is refused at
/// once (``ClassifierError/tooLarge(windows:limit:)``, HTTP 413). Past ``BatchingOptions/queueCapacity`` waiting
/// windows, calls fail at once with ``BatchingError/overloaded(capacity:)`` (503). A forward pass holds at most
/// `maxBatchSize` windows, so memory is bounded, and a long input's windows alternate with other callers' short
/// ones instead of starving them. A cancelled call (a timed-out request) leaves the queue with its remaining
/// windows; at most the one batch in flight still computes for it.
///
/// An idle loop waits ``BatchingOptions/maxWait`` after the first arrival so that others can join;
/// under load no wait is needed, since requests pile up while the previous batch runs.
///
/// The loop is a `Service`: run it for the life of the server (calls wait until it runs). On graceful
/// shutdown it stops accepting calls, finishes the queued ones, and returns.
public final class BatchingClassifier: SafetyClassifier, Service, Sendable {
    public let base: any SafetyClassifier
    public let options: BatchingOptions
    let observer: BatchObserver
    private let windowed: any WindowedClassifier
    private let state = Mutex(State())

    /// A call: its windows, how far they have been handed out and scored, and its inputs' scores so far.
    private struct Call: Sendable {
        var windows: [ScoringWindow]
        /// The input each window belongs to.
        var owners: [Int]
        /// The next window to hand to a batch.
        var next = 0
        /// Windows not scored yet (queued or in flight).
        var outstanding: Int
        var scores: [LabelScores]
        var continuation: CheckedContinuation<[LabelScores], any Error>
        var arrived: ContinuousClock.Instant

        var queued: Int { windows.count - next }
    }

    private struct State: Sendable {
        var calls: [UInt64: Call] = [:]
        /// Calls with windows still to hand out, in arrival order.
        var waiting: [UInt64] = []
        var queuedWindows = 0
        var nextID: UInt64 = 0
        var accepting = true
        var wakeUp: CheckedContinuation<Void, Never>?

        /// Removes a call and its queued windows; the caller resumes its continuation.
        mutating func remove(_ id: UInt64) -> Call? {
            guard let call = calls.removeValue(forKey: id) else { return nil }
            if call.queued > 0 {
                waiting.removeAll { $0 == id }
                queuedWindows -= call.queued
            }
            return call
        }
    }

    public init(_ base: any SafetyClassifier, options: BatchingOptions = BatchingOptions(), observer: BatchObserver = BatchObserver()) {
        self.base = base
        self.options = options
        self.observer = observer
        self.windowed = base.windowed
    }

    public var modelID: String { base.modelID }
    public var labels: [String] { base.labels }
    public var operatingThresholds: [String: Double] { base.operatingThresholds }

    /// Windows waiting for a forward pass.
    public var queueDepth: Int { state.withLock { $0.queuedWindows } }

    /// Whether `count` more windows would be refused now (a cheap check before starting a request).
    public func isSaturated(adding count: Int = 1) -> Bool {
        state.withLock { $0.queuedWindows + count > options.queueCapacity }
    }

    // MARK: - Calls

    /// Queues the windows of `inputs` and returns the inputs' scores (each the maximum over its windows).
    /// - Throws: ``ClassifierError/tooLarge(windows:limit:)``, ``BatchingError``, `CancellationError`, or the
    ///   wrapped classifier's error.
    public func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        guard !inputs.isEmpty else { return [] }
        var windows: [ScoringWindow] = []
        var owners: [Int] = []
        let limit = min(options.maxRequestWindows, options.queueCapacity)
        for (index, input) in inputs.enumerated() {
            // Checked input by input, so a huge request of many texts stops tokenizing at the limit.
            for window in windowed.windows(of: input) {
                guard windows.count < limit else {
                    throw ClassifierError.tooLarge(windows: windows.count + 1, limit: limit)
                }
                windows.append(window)
                owners.append(index)
            }
        }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(id, Call(
                    windows: windows, owners: owners, outstanding: windows.count,
                    scores: Array(repeating: LabelScores(), count: inputs.count), continuation: continuation, arrived: .now))
            }
        } onCancel: {
            let removed = state.withLock { $0.remove(id) }
            removed?.continuation.resume(throwing: CancellationError())
        }
    }

    private func enqueue(_ id: UInt64, _ call: Call) {
        let count = call.windows.count
        let (refusal, waker, depth) = state.withLock { state -> ((any Error)?, CheckedContinuation<Void, Never>?, Int) in
            // Checked under the lock: a cancellation handler that ran before this found nothing to remove.
            if Task.isCancelled { return (CancellationError(), nil, state.queuedWindows) }
            guard state.accepting else { return (BatchingError.shuttingDown, nil, state.queuedWindows) }
            if state.queuedWindows + count > options.queueCapacity {
                return (BatchingError.overloaded(capacity: options.queueCapacity), nil, state.queuedWindows)
            }
            state.calls[id] = call
            state.waiting.append(id)
            state.queuedWindows += count
            defer { state.wakeUp = nil }
            return (nil, state.wakeUp, state.queuedWindows)
        }
        if let refusal {
            if case BatchingError.overloaded = refusal { observer.rejected() }
            call.continuation.resume(throwing: refusal)
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
            let deadline = state.withLock { state in
                state.waiting.first.flatMap { state.calls[$0] }.map { $0.arrived + options.maxWait }
            }
            if let deadline, queueDepth < options.maxBatchSize, deadline > ContinuousClock.now {
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
                if !state.waiting.isEmpty || !state.accepting { return true }
                state.wakeUp = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        return state.withLock { !$0.waiting.isEmpty }
    }

    /// One window of a call, in a batch.
    private struct Slot {
        var call: UInt64
        var window: Int
    }

    /// Up to `maxBatchSize` windows, one from each waiting call in turn (oldest first), so that a long input
    /// shares every forward pass with the short ones queued behind it.
    private func takeBatch() -> [(Slot, ScoringWindow)] {
        let (batch, depth) = state.withLock { state -> ([(Slot, ScoringWindow)], Int) in
            var batch: [(Slot, ScoringWindow)] = []
            while batch.count < options.maxBatchSize && !state.waiting.isEmpty {
                for id in state.waiting where batch.count < options.maxBatchSize {
                    let index = state.calls[id]!.next
                    batch.append((Slot(call: id, window: index), state.calls[id]!.windows[index]))
                    state.calls[id]!.next += 1
                }
                state.waiting.removeAll { state.calls[$0]!.queued == 0 }
            }
            state.queuedWindows -= batch.count
            return (batch, state.queuedWindows)
        }
        observer.queueDepth(depth)
        return batch
    }

    private func runBatch(_ batch: [(Slot, ScoringWindow)]) async {
        let started = ContinuousClock.now
        let outcome: Result<[LabelScores], any Error>
        do {
            let scores = try await windowed.score(batch.map(\.1))
            guard scores.count == batch.count else {
                throw ClassifierError.unavailable("it returned \(scores.count) results for a batch of \(batch.count) windows")
            }
            observer.batch(batch.count, .now - started)
            outcome = .success(scores)
        } catch {
            outcome = .failure(error)
        }
        // Calls cancelled meanwhile are gone from the table; their windows' scores are dropped.
        let finished = state.withLock { state -> [(Call, Result<[LabelScores], any Error>)] in
            var finished: [(Call, Result<[LabelScores], any Error>)] = []
            switch outcome {
            case .success(let scores):
                for ((slot, _), windowScores) in zip(batch, scores) {
                    guard var call = state.calls[slot.call] else { continue }
                    let owner = call.owners[slot.window]
                    call.scores[owner] = call.scores[owner].merged(withMaximumOf: windowScores)
                    call.outstanding -= 1
                    state.calls[slot.call] = call
                    if call.outstanding == 0, let done = state.remove(slot.call) { finished.append((done, .success(done.scores))) }
                }
            case .failure(let error):
                for id in Set(batch.map(\.0.call)) {
                    if let failed = state.remove(id) { finished.append((failed, .failure(error))) }
                }
            }
            return finished
        }
        for (call, result) in finished { call.continuation.resume(with: result) }
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
    /// The queue holds `capacity` windows already; retry later.
    case overloaded(capacity: Int)
    /// The server is shutting down.
    case shuttingDown

    public var description: String {
        switch self {
        case .overloaded(let capacity):
            "the classifier queue is full (\(capacity) windows waiting); retry later"
        case .shuttingDown: "the server is shutting down"
        }
    }

    public var isCapacityRefusal: Bool {
        if case .overloaded = self { return true }
        return false
    }
}
