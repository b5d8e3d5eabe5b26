import Foundation
import Synchronization
import Testing
import WardenCore
@testable import WardenServer

@Suite("Dynamic batching")
struct BatchingClassifierTests {
    /// Runs the batcher's loop beside `body`, then shuts it down gracefully by stopping intake.
    static func withRunning<T: Sendable>(_ batcher: BatchingClassifier, _ body: @Sendable () async throws -> T) async throws -> T {
        let loop = Task { try await batcher.run() }
        defer { loop.cancel() }
        let value = try await body()
        batcher.stopAccepting()
        try await loop.value
        return value
    }

    @Test("Each caller gets the scores of its own inputs, whatever batch they landed in")
    func fanOut() async throws {
        let classifier = KeywordClassifier()
        let batcher = BatchingClassifier(classifier, options: BatchingOptions(maxBatchSize: 4, maxWait: .milliseconds(1), queueCapacity: 100))
        let texts = (0..<20).map { $0 % 3 == 0 ? "kill number \($0)" : "calm number \($0)" }
        let results = try await Self.withRunning(batcher) {
            try await withThrowingTaskGroup(of: (Int, [LabelScores]).self) { group in
                for (index, text) in texts.enumerated() {
                    group.addTask { (index, try await batcher.classify([ClassificationInput(text: text), ClassificationInput(text: "echo \(index)")])) }
                }
                var results: [Int: [LabelScores]] = [:]
                for try await (index, scores) in group { results[index] = scores }
                return results
            }
        }
        for (index, text) in texts.enumerated() {
            #expect(results[index] == [KeywordClassifier.scores(text), KeywordClassifier.scores("echo \(index)")])
        }
        #expect(classifier.batches.allSatisfy { $0.count <= 4 })
        #expect(classifier.batches.map(\.count).reduce(0, +) == 40)
    }

    @Test("A full queue refuses at once; a cancelled call leaves the queue; queued calls finish at shutdown")
    func boundsCancellationAndDrain() async throws {
        let gate = Gate()
        let classifier = KeywordClassifier(gate: gate)
        let rejected = Mutex(0)
        let batcher = BatchingClassifier(
            classifier, options: BatchingOptions(maxBatchSize: 8, maxWait: .zero, queueCapacity: 2),
            observer: BatchObserver(rejected: { rejected.withLock { $0 += 1 } }))
        let loop = Task { try await batcher.run() }

        let first = Task { try await batcher.classify([ClassificationInput(text: "first")]) }
        #expect(try await eventually { classifier.batches.count == 1 })
        let cancelled = Task { try await batcher.classify([ClassificationInput(text: "cancelled")]) }
        let kept = Task { try await batcher.classify([ClassificationInput(text: "kept")]) }
        #expect(try await eventually { batcher.queueDepth == 2 })
        await #expect(throws: BatchingError.overloaded(capacity: 2)) {
            try await batcher.classify([ClassificationInput(text: "refused")])
        }
        #expect(rejected.withLock { $0 } == 1)

        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(batcher.queueDepth == 1)

        // Shut down while one call is queued: it is still answered, new calls are refused.
        batcher.stopAccepting()
        await #expect(throws: BatchingError.shuttingDown) { try await batcher.classify([ClassificationInput(text: "late")]) }
        gate.open()
        #expect(try await first.value == [KeywordClassifier.scores("first")])
        #expect(try await kept.value == [KeywordClassifier.scores("kept")])
        try await loop.value
        #expect(classifier.batches.map { $0.map(KeywordClassifier.judged) } == [["first"], ["kept"]])
    }
}
