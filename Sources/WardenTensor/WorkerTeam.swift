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
/// A pass of many short regions runs inside ``engaged(_:)``: until it returns, waiting threads keep polling
/// (yielding the core whenever another thread wants it) instead of sleeping. Without it, the first pass after an
/// idle spell cascaded: a helper woken late (a halted vCPU takes long to wake) made the caller spin out and sleep,
/// whose own late wake made the helper sleep, and so on for every region; at batch 1 x 32 tokens a pass after a
/// 50 ms pause took 21.2 ms against 4.5 ms back to back and 8.4 ms on one thread (`warden bench encoder --gap-ms 50`).
///
/// Parts are claimed, not assigned: the caller runs every part no helper has started, so a helper that wakes late
/// makes a region serial, never slower than one thread.
///
/// One caller at a time: a team belongs to one workspace (not `Sendable`-shared between concurrent callers).
public final class WorkerTeam {
    /// State shared with the helper threads (they hold it, not the team, so the team can be deinitialised).
    private final class Shared: @unchecked Sendable {
        /// Bumped for every region, to wake helpers; the parts themselves are claimed from `nextPart`.
        let generation = Atomic<Int>(0)
        /// The next unclaimed part of the current region (>= size: all claimed).
        let nextPart = Atomic<Int>(Int.max / 2)
        /// Parts of the current region not yet finished.
        let remaining = Atomic<Int>(0)
        let size: Int
        let condition = NSCondition()
        var job: ((Int) -> Void)?
        let shutdown = Atomic<Bool>(false)
        /// Inside ``WorkerTeam/engaged(_:)``: waiting threads poll without a time limit.
        let engaged = Atomic<Bool>(false)
        let spinNanoseconds: UInt64

        init(size: Int, spinNanoseconds: UInt64) {
            self.size = size
            self.spinNanoseconds = spinNanoseconds
        }

        /// Claims and runs parts of the current region until none is left. A helper wakes the caller when it
        /// finishes the region's last part.
        func work(asHelper: Bool) {
            while true {
                let part = nextPart.add(1, ordering: .acquiringAndReleasing).oldValue
                guard part < size else { return }
                // Called through the optional, not a local copy: the closure must be released before the part
                // counts as done, since the caller ends `withoutActuallyEscaping` once every part is.
                job?(part)
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 && asHelper {
                    // The caller may be asleep; wake it under the lock so the wake-up cannot be lost.
                    condition.lock()
                    condition.broadcast()
                    condition.unlock()
                }
            }
        }

        /// Polls `done` until it holds or the spin time is used up (counted from the end of an engaged spell);
        /// returns whether it holds.
        @inline(__always)
        func spin(until done: () -> Bool) -> Bool {
            if done() { return true }
            var start = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while !done() {
                polls &+= 1
                // Reading the clock costs ~20 ns; look at it only every 256 polls.
                guard polls & 255 == 0 else { continue }
                if engaged.load(ordering: .relaxed) {
                    // Polling for the next region of a pass: hand the core to anyone else who wants it meanwhile.
                    sched_yield()
                    start = DispatchTime.now().uptimeNanoseconds
                } else if DispatchTime.now().uptimeNanoseconds &- start > spinNanoseconds {
                    return false
                }
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
        shared = Shared(size: size, spinNanoseconds: UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000))
        for index in 1..<size {
            let shared = self.shared
            let thread = Thread { Self.helperLoop(shared) }
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

    /// Runs `body` with the helpers kept awake between regions (see the type's notes); wakes sleeping helpers first,
    /// so their wake-up overlaps whatever `body` does before its first region.
    public func engaged<T>(_ body: () throws -> T) rethrows -> T {
        guard size > 1 else { return try body() }
        shared.condition.lock()
        shared.engaged.store(true, ordering: .releasing)
        shared.condition.broadcast()
        shared.condition.unlock()
        defer { shared.engaged.store(false, ordering: .releasing) }
        return try body()
    }

    /// Runs `body(0) … body(size − 1)`, each part once, on the calling thread and whichever helpers claim a part
    /// first; returns when all are done.
    public func run(_ body: (Int) -> Void) {
        if size == 1 {
            body(0)
            return
        }
        withoutActuallyEscaping(body) { job in
            let shared = self.shared
            shared.job = job
            shared.remaining.store(size, ordering: .relaxed)
            // Releases `job` and `remaining` to whoever claims a part.
            shared.nextPart.store(0, ordering: .releasing)
            // Publishing under the lock means a helper about to sleep cannot miss the new generation.
            shared.condition.lock()
            shared.generation.add(1, ordering: .releasing)
            shared.condition.broadcast()
            shared.condition.unlock()
            shared.work(asHelper: false)
            if !shared.spin(until: { shared.remaining.load(ordering: .acquiring) == 0 }) {
                shared.condition.lock()
                while shared.remaining.load(ordering: .acquiring) != 0 { shared.condition.wait() }
                shared.condition.unlock()
            }
            shared.job = nil
        }
    }

    private static func helperLoop(_ shared: Shared) {
        var seen = 0
        while true {
            let ready = { shared.generation.load(ordering: .acquiring) != seen || shared.shutdown.load(ordering: .acquiring) }
            if !shared.spin(until: ready) {
                shared.condition.lock()
                while !ready() && !shared.engaged.load(ordering: .acquiring) { shared.condition.wait() }
                shared.condition.unlock()
                // Woken for an engaged spell before its first region: poll for it.
                if !ready() { continue }
            }
            if shared.shutdown.load(ordering: .acquiring) { return }
            seen = shared.generation.load(ordering: .acquiring)
            shared.work(asHelper: true)
        }
    }
}
