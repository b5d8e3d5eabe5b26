import Synchronization

/// Workspaces kept between forward passes, so a serving classifier allocates its scratch buffers and starts its
/// helper threads once per concurrent caller instead of once per pass.
///
/// A caller borrows a workspace for one pass and returns it; concurrent callers get different ones. The pool
/// grows to the largest number of simultaneous passes and keeps them (each holds its buffers and, with
/// `workers > 1`, a parked ``WorkerTeam``).
public final class EncoderWorkspacePool: Sendable {
    /// `EncoderWorkspace` is not thread-safe. A parked one is touched by no one; the mutex hands it to one
    /// borrower at a time, so crossing threads while parked is safe.
    private struct Parked: @unchecked Sendable { let workspace: EncoderWorkspace }
    private let idle = Mutex<[Parked]>([])

    public init() {}

    /// Runs `body` with a workspace that no one else uses until it returns.
    public func withWorkspace<T>(_ body: (EncoderWorkspace) throws -> T) rethrows -> T {
        let parked = idle.withLock { $0.popLast() } ?? Parked(workspace: EncoderWorkspace())
        defer { idle.withLock { $0.append(parked) } }
        return try body(parked.workspace)
    }

    /// Workspaces created so far and now idle.
    public var idleCount: Int { idle.withLock { $0.count } }
}
