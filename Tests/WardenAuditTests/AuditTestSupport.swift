import Dispatch
import Foundation
import WardenCore

@testable import WardenAudit

/// A fresh directory per test, removed by `remove()`.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appendingPathComponent("audit.sqlite").path }

    init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("warden-audit-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func open(busyTimeout: Duration = .seconds(5)) throws -> SQLiteAuditStore {
        try SQLiteAuditStore(path: path, options: .init(busyTimeout: busyTimeout))
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

func makeEvent(
    id: UUID = UUID(), time: Date = Date(), direction: Direction = .input, prompt: String? = "hello there",
    response: String? = nil, decision: Decision = .allow, violations: [Violation] = [],
    scores: [String: Double] = ["unsafe": 0.1, "violent_crimes": 0.05], policyID: String = "default",
    storage: TextStorage = .full, source: VerdictSource? = .model
) -> AuditEvent {
    var messages: [Message] = []
    if let prompt { messages.append(.user(prompt)) }
    if let response { messages.append(.assistant(response)) }
    return AuditEvent(
        id: id, time: time, direction: direction, messages: AuditRedactor.messages(messages, storage: storage),
        scores: scores, decision: decision, violations: violations, reason: "test", policyID: policyID,
        policyHash: "hash-1", modelID: "model-1", latencyMilliseconds: 3.5, caller: "key-1", source: source)
}

func violation(_ category: HazardID, code: String?, score: Double = 0.9, decision: Decision = .block) -> Violation {
    Violation(category: category, code: code, score: score, threshold: 0.5, decision: decision, rule: "input[0]")
}

/// Waits, without a time assertion, until `condition` holds; fails the caller after `timeout` so a bug
/// cannot hang the suite.
func eventually(
    timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool
) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// Holds the database's write lock from a second connection, as another process would.
final class WriteLockHolder: Sendable {
    private let release: DispatchSemaphore
    private let task: Task<Void, any Error>

    private init(release: DispatchSemaphore, task: Task<Void, any Error>) {
        self.release = release
        self.task = task
    }

    /// Returns once the lock is held.
    static func acquire(path: String) async throws -> WriteLockHolder {
        let store = try SQLiteAuditStore(path: path)
        let release = DispatchSemaphore(value: 0)
        let (acquired, signal) = AsyncStream<Void>.makeStream()
        let task = Task.detached {
            // Blocks GRDB's writer thread of this second connection, not the cooperative pool.
            try await store.pool.writeWithoutTransaction { db in
                do {
                    try db.execute(sql: "BEGIN EXCLUSIVE")
                } catch {
                    signal.finish()
                    throw error
                }
                signal.finish()
                release.wait()
                try db.execute(sql: "COMMIT")
            }
        }
        for await _ in acquired {}
        return WriteLockHolder(release: release, task: task)
    }

    func unlock() async throws {
        release.signal()
        try await task.value
    }
}
