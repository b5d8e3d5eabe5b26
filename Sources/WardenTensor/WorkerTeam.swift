import Foundation
import Synchronization

/// A fixed team of helper threads for fork–join regions that last tens of microseconds (one GEMM split in two).
///
/// `DispatchQueue.concurrentPerform` has to wake a pool thread for every region; a forward pass at batch 1 has
/// ~37 regions, so wake-up latency adds up. Team helpers instead spin briefly (``spinLimit`` polls, a few tens of
/// microseconds) waiting for the next region and only then sleep on a condition variable. The spin is bounded
/// on purpose: OpenBLAS's unbounded spinning is what collapses on a busy 2-vCPU machine.
///
/// One caller at a time: a team belongs to one workspace (not `Sendable`-shared between concurrent callers).
public final class WorkerTeam {
    /// State shared with the helper threads (they hold it, not the team, so the team can be deinitialised).
    private final class Shared: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let remaining = Atomic<Int>(0)
        let condition = NSCondition()
        var job: ((Int) -> Void)?
        var shutdown = false
        let spinLimit: Int

        init(spinLimit: Int) { self.spinLimit = spinLimit }
    }

    private let shared: Shared
    /// Total participants: the caller plus `size − 1` helpers.
    public let size: Int

    /// A team of `size` participants (the calling thread counts as one).
    public init(size: Int, spinLimit: Int = 20_000) {
        precondition(size >= 1, "WorkerTeam needs at least one participant")
        self.size = size
        shared = Shared(spinLimit: spinLimit)
        for index in 1..<size {
            let shared = self.shared
            let thread = Thread { Self.helperLoop(shared, index: index) }
            thread.name = "warden-worker-\(index)"
            thread.start()
        }
    }

    deinit {
        shared.condition.lock()
        shared.shutdown = true
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    /// Runs `body(0)` on the calling thread and `body(1) … body(size − 1)` on the helpers; returns when all are done.
    public func run(_ body: (Int) -> Void) {
        if size == 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { job in
            shared.condition.lock()
            shared.job = job
            shared.remaining.store(size - 1, ordering: .relaxed)
            // Publishing under the lock means a helper about to sleep cannot miss the new generation.
            shared.generation.add(1, ordering: .releasing)
            shared.condition.broadcast()
            shared.condition.unlock()
            job(0)
            var spins = 0
            while shared.remaining.load(ordering: .acquiring) != 0 {
                spins += 1
                if spins > shared.spinLimit {
                    shared.condition.lock()
                    while shared.remaining.load(ordering: .acquiring) != 0 { shared.condition.wait() }
                    shared.condition.unlock()
                }
            }
            shared.job = nil
        }
    }

    private static func helperLoop(_ shared: Shared, index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while shared.generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins > shared.spinLimit {
                    shared.condition.lock()
                    while shared.generation.load(ordering: .acquiring) == seen && !shared.shutdown { shared.condition.wait() }
                    let stop = shared.shutdown
                    shared.condition.unlock()
                    if stop { return }
                }
            }
            seen = shared.generation.load(ordering: .acquiring)
            shared.job?(index)
            if shared.remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                // The caller may be asleep; wake it under the lock so the wake-up cannot be lost.
                shared.condition.lock()
                shared.condition.broadcast()
                shared.condition.unlock()
            }
        }
    }
}
