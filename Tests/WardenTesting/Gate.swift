import Synchronization

/// A one-shot gate that holds callers until opened, and that waiters cannot be cancelled out of; it opens by itself
/// after `fallback`, so a broken test ends instead of hanging.
public final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let passed = Mutex(0)

    public init(fallback: Duration = .seconds(10)) {
        Task { [weak self] in
            try? await Task.sleep(for: fallback)
            self?.open()
        }
    }

    /// How many waiters got through.
    public var passedCount: Int { passed.withLock { $0 } }

    public func wait() async {
        await withCheckedContinuation { continuation in
            let isOpen = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
        }
        passed.withLock { $0 += 1 }
    }

    public func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}
