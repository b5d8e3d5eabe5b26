import Foundation
import Synchronization
import Testing
import WardenCore
@testable import WardenServer
import WardenTesting

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

/// Splits the judged turn into one window per word; a window scores `unsafe` 0.9 when its word is `kill`.
/// Records the words of every batch, and holds the first batch until its gate opens.
final class WordWindowClassifier: WindowedClassifier {
    let modelID = "word-windows@1"
    let labels = ["unsafe"]
    let firstBatchGate: Gate?
    private let seen = Mutex<[[String]]>([])

    init(firstBatchGate: Gate? = nil) { self.firstBatchGate = firstBatchGate }

    var batches: [[String]] { seen.withLock { $0 } }

    func windows(of input: ClassificationInput) -> [ScoringWindow] {
        input.judgedText.split(separator: " ").map { ScoringWindow(String($0)) }
    }

    func score(_ windows: [ScoringWindow]) async throws -> [LabelScores] {
        let words = windows.map { $0.content as! String }
        let first = seen.withLock { seen in
            seen.append(words)
            return seen.count == 1
        }
        if first, let firstBatchGate { await firstBatchGate.wait() }
        return words.map { LabelScores(["unsafe": $0 == "kill" ? 0.9 : 0.01]) }
    }

    func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        var scores: [LabelScores] = []
        for input in inputs {
            let windowScores = try await score(windows(of: input))
            scores.append(windowScores.reduce(LabelScores()) { $0.merged(withMaximumOf: $1) })
        }
        return scores
    }
}

@Suite("Batching by cost")
struct CostBatchingTests {
    static func words(_ count: Int, prefix: String, harmfulAt: Int? = nil) -> String {
        (0..<count).map { $0 == harmfulAt ? "kill" : "\(prefix)\($0)" }.joined(separator: " ")
    }

    @Test("A long input's windows run in bounded passes that a short call queued behind it shares")
    func longInputSharesPasses() async throws {
        let gate = Gate()
        let classifier = WordWindowClassifier(firstBatchGate: gate)
        let batcher = BatchingClassifier(classifier, options: BatchingOptions(maxBatchSize: 4, maxWait: .zero, queueCapacity: 100))
        let loop = Task { try await batcher.run() }
        defer { loop.cancel() }

        let long = Task { try await batcher.classify([ClassificationInput(text: Self.words(40, prefix: "w", harmfulAt: 37))]) }
        #expect(try await eventually { classifier.batches.count == 1 })
        let short = Task { try await batcher.classify([ClassificationInput(text: "short")]) }
        #expect(try await eventually { batcher.queueDepth == 37 })
        gate.open()

        #expect(try await short.value == [LabelScores(["unsafe": 0.01])])
        #expect(try await long.value == [LabelScores(["unsafe": 0.9])])
        let batches = classifier.batches
        #expect(batches.allSatisfy { $0.count <= 4 })
        // The short call rode in the pass right after the one in flight, not after all 40 windows.
        #expect(batches[1].contains("short"))
        #expect(batches.flatMap { $0 }.count == 41)
    }

    @Test("A request of more windows than max_request_windows is refused before any pass")
    func oversizedRequestRefused() async throws {
        let classifier = WordWindowClassifier()
        let batcher = BatchingClassifier(
            classifier, options: BatchingOptions(maxBatchSize: 4, maxWait: .zero, queueCapacity: 100, maxRequestWindows: 10))
        try await BatchingClassifierTests.withRunning(batcher) { () async throws in
            await #expect(throws: ClassifierError.tooLarge(windows: 11, limit: 10)) {
                try await batcher.classify([ClassificationInput(text: Self.words(6, prefix: "a")), ClassificationInput(text: Self.words(6, prefix: "b"))])
            }
            // Ten windows are within the limit.
            #expect(try await batcher.classify([ClassificationInput(text: Self.words(10, prefix: "c"))]).count == 1)
        }
        #expect(classifier.batches.flatMap { $0 }.count == 10)
    }

    @Test("A cancelled call's queued windows are dropped; only the pass in flight computes for it")
    func cancellationDropsQueuedWindows() async throws {
        let gate = Gate()
        let classifier = WordWindowClassifier(firstBatchGate: gate)
        let batcher = BatchingClassifier(classifier, options: BatchingOptions(maxBatchSize: 4, maxWait: .zero, queueCapacity: 100))
        let loop = Task { try await batcher.run() }
        defer { loop.cancel() }

        let long = Task { try await batcher.classify([ClassificationInput(text: Self.words(40, prefix: "w"))]) }
        #expect(try await eventually { classifier.batches.count == 1 })
        long.cancel()
        await #expect(throws: CancellationError.self) { try await long.value }
        #expect(batcher.queueDepth == 0)
        gate.open()
        #expect(try await batcher.classify([ClassificationInput(text: "after")]) == [LabelScores(["unsafe": 0.01])])
        #expect(classifier.batches.flatMap { $0 }.count == 5)
    }
}
