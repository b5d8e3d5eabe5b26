import Foundation
import Synchronization

/// A fixed team of helper threads for fork–join regions that last tens of microseconds (one GEMM split in two).
///
/// `DispatchQueue.concurrentPerform` has to wake a pool thread for every region; a forward pass at batch 1 has
/// ~37 regions, so wake-up latency adds up (measured: 7.15 vs 6.05 ms at batch 1 × 32 tokens, 24.7 vs 18.1 ms at
/// 128 tokens). Team threads instead spin for up to ``spinTime`` waiting for the next region (or for the other
/// part to finish) and only then sleep on a condition variable. 200 µs covers the imbalance between the two halves
/// of a region at batch 1 (a 20 µs spin parked ~12 times per forward and cost 7%); the bound is deliberate, since
/// OpenBLAS's much longer spinning is what collapses on a busy 2-vCPU machine.
///
/// One caller at a time: a team belongs to one workspace (not `Sendable`-shared between concurrent callers).
public final class WorkerTeam {
    /// State shared with the helper threads (they hold it, not the team, so the team can be deinitialised).
    private final class Shared: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let remaining = Atomic<Int>(0)
        let condition = NSCondition()
        var job: ((Int) -> Void)?
        let shutdown = Atomic<Bool>(false)
        let spinNanoseconds: UInt64

        init(spinNanoseconds: UInt64) { self.spinNanoseconds = spinNanoseconds }

        /// Polls `done` until it holds or the spin time is used up; returns whether it holds.
        @inline(__always)
        func spin(until done: () -> Bool) -> Bool {
            if done() { return true }
            let start = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while !done() {
                polls &+= 1
                // Reading the clock costs ~20 ns; look at it only every 256 polls.
                if polls & 255 == 0 && DispatchTime.now().uptimeNanoseconds &- start > spinNanoseconds { return false }
            }
            return true
        }
    }

    private let shared: Shared
    /// Total participants: the caller plus `size − 1` helpers.
    public let size: Int

    /// How long a waiting thread spins before it sleeps.
    public let spinTime: Duration

    /// A team of `size` participants (the calling thread counts as one).
    public init(size: Int, spinTime: Duration = .microseconds(200)) {
        precondition(size >= 1, "WorkerTeam needs at least one participant")
        self.size = size
        self.spinTime = spinTime
        let (seconds, attoseconds) = spinTime.components
        shared = Shared(spinNanoseconds: UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000))
        for index in 1..<size {
            let shared = self.shared
            let thread = Thread { Self.helperLoop(shared, index: index) }
            thread.name = "warden-worker-\(index)"
            thread.start()
        }
    }

    deinit {
        shared.condition.lock()
        shared.shutdown.store(true, ordering: .releasing)
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
            let shared = self.shared
            if !shared.spin(until: { shared.remaining.load(ordering: .acquiring) == 0 }) {
                shared.condition.lock()
                while shared.remaining.load(ordering: .acquiring) != 0 { shared.condition.wait() }
                shared.condition.unlock()
            }
            shared.job = nil
        }
    }

    private static func helperLoop(_ shared: Shared, index: Int) {
        var seen = 0
        while true {
            if !shared.spin(until: { shared.generation.load(ordering: .acquiring) != seen || shared.shutdown.load(ordering: .acquiring) }) {
                shared.condition.lock()
                while shared.generation.load(ordering: .acquiring) == seen && !shared.shutdown.load(ordering: .acquiring) { shared.condition.wait() }
                shared.condition.unlock()
            }
            if shared.shutdown.load(ordering: .acquiring) { return }
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
