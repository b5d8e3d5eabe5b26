import Dispatch

/// Fork–join over a few workers for the encoder's own parallelism (two single-threaded GEMMs on column
/// halves, or two workers on different sequences).
///
/// Uses `DispatchQueue.concurrentPerform`, whose idle workers sleep instead of spinning. That matters on a shared
/// 2-vCPU machine, where OpenBLAS's spinning pthread pool collapses as soon as another process wants a core.
public enum Parallel {
    /// Runs `body(0) … body(workers − 1)`, concurrently when `workers > 1`, and returns when all are done.
    @inline(__always)
    public static func run(workers: Int, _ body: @Sendable (Int) -> Void) {
        if workers <= 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: body)
        }
    }

    /// The half-open range of `0..<count` that part `index` of `parts` owns, aligned to `multiple` where possible
    /// (so column splits stay on SIMD and head boundaries).
    public static func share(of count: Int, part index: Int, of parts: Int, multiple: Int = 1) -> Range<Int> {
        precondition(parts >= 1 && index >= 0 && index < parts, "share: bad part \(index) of \(parts)")
        let units = (count + multiple - 1) / multiple
        let lower = min(count, (units * index / parts) * multiple)
        let upper = index == parts - 1 ? count : min(count, (units * (index + 1) / parts) * multiple)
        return lower..<upper
    }
}

/// How a fork–join region is executed: on the calling thread, on libdispatch's pool, or on a ``WorkerTeam``.
public struct ForkJoin {
    /// Number of parts each region is split into.
    public let parts: Int
    private let team: WorkerTeam?

    /// Everything on the calling thread.
    public static var serial: ForkJoin { ForkJoin(parts: 1, team: nil) }

    /// `parts` workers from libdispatch (`concurrentPerform`).
    public static func dispatch(_ parts: Int) -> ForkJoin { ForkJoin(parts: max(1, parts), team: nil) }

    /// The team's threads (the caller included).
    public init(team: WorkerTeam) { self.init(parts: team.size, team: team) }

    private init(parts: Int, team: WorkerTeam?) {
        self.parts = parts
        self.team = team
    }

    /// Runs `body`, a sequence of regions, with a team's helpers kept awake between them (``WorkerTeam/engaged(_:)``).
    public func engaged<T>(_ body: () throws -> T) rethrows -> T {
        if let team { return try team.engaged(body) }
        return try body()
    }

    /// Runs `body(0) … body(parts − 1)` and returns when all are done.
    @inline(__always)
    public func run(_ body: @Sendable (Int) -> Void) {
        if let team {
            team.run(body)
        } else {
            Parallel.run(workers: parts, body)
        }
    }
}
