import Synchronization

/// Runs `operation` and gives up after `timeout`, returning at once even when the operation ignores
/// cancellation (a forward pass on a thread pool does): the operation is cancelled and left to end
/// on its own, its result discarded.
///
/// A task group would wait for the operation before returning, which defeats the timeout.
func withDeadline<T: Sendable>(
    _ timeout: Duration?,
    onTimeout: @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let timeout else { return try await operation() }
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            guard race.start(continuation) else { return }
            let work = Task {
                do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                do { try await Task.sleep(for: timeout) } catch { return }
                race.finish(.failure(onTimeout()))
            }
            race.own([work, timer])
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The shared state of one ``withDeadline(_:onTimeout:_:)`` call: whichever finishes first resumes
/// the caller; the others are cancelled.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var outcome: Result<T, any Error>?
    }

    private let state = Mutex(State())

    /// Installs the continuation; returns `false` when the race already ended (cancelled early).
    func start(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
        let early: Result<T, any Error>? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
        return early == nil
    }

    func own(_ tasks: [Task<Void, Never>]) {
        let finished = state.withLock { state in
            state.tasks = tasks
            return state.outcome != nil
        }
        if finished { tasks.forEach { $0.cancel() } }
    }

    func finish(_ outcome: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard state.outcome == nil else { return (nil, []) }
            state.outcome = outcome
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        continuation?.resume(with: outcome)
        tasks.forEach { $0.cancel() }
    }
}
