import Foundation
import WardenTesting
import Logging
import Metrics
import Synchronization
import WardenCore
import WardenPipeline
import WardenPolicy
import WardenTaxonomy

/// Scores the judged turn by keywords, like a tiny, very confident model.
///
/// `bomb` -> indiscriminate_weapons 0.95, `steal` -> non_violent_crimes 0.9, `dose` ->
/// specialized_advice 0.7 (a review rule in the test policies). It can be told to fail or to be
/// slow, and it records what it was asked.
final class KeywordClassifier: SafetyClassifier {
    enum Behaviour: Sendable {
        case answer
        case fail
        /// Refuses for lack of capacity (a full queue).
        case refuse
        /// Sleeps this long before answering (cancellable, so a timeout can stop it).
        case slow(Duration)
        /// Waits for the gate to open, ignoring cancellation (as a forward pass on a thread pool does).
        case stuck(Gate)
    }

    static let keywords: [(word: String, label: String, score: Double)] = [
        ("bomb", "indiscriminate_weapons", 0.95), ("steal", "non_violent_crimes", 0.9), ("dose", "specialized_advice", 0.7),
    ]

    let modelID = "keyword-test-model"
    let labels = ["unsafe", "indiscriminate_weapons", "non_violent_crimes", "specialized_advice", "violent_crimes"]
    let behaviour: Behaviour
    private let seen = Mutex<[[ClassificationInput]]>([])

    init(_ behaviour: Behaviour = .answer) { self.behaviour = behaviour }

    /// The batches the classifier was called with.
    var batches: [[ClassificationInput]] { seen.withLock { $0 } }
    /// Every judged text, in order.
    var judgedTexts: [String] { batches.flatMap { $0.map(Self.judged) } }

    func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        seen.withLock { $0.append(inputs) }
        switch behaviour {
        case .answer: break
        case .fail: throw ClassifierError.unavailable("test classifier told to fail")
        case .refuse: throw QueueFull()
        case .slow(let duration): try await Task.sleep(for: duration)
        case .stuck(let gate): await gate.wait()
        }
        return inputs.map { Self.scores(Self.judged($0)) }
    }

    static func judged(_ input: ClassificationInput) -> String {
        let role: Role = input.direction == .input ? .user : .assistant
        return input.conversation.messages.last { $0.role == role }?.content ?? ""
    }

    static func scores(_ text: String) -> LabelScores {
        var values = ["unsafe": 0.02, "indiscriminate_weapons": 0.01, "non_violent_crimes": 0.01, "specialized_advice": 0.01, "violent_crimes": 0.01]
        let lowered = text.lowercased()
        for keyword in keywords where lowered.contains(keyword.word) {
            values[keyword.label] = keyword.score
            if keyword.label != "specialized_advice" { values["unsafe"] = max(values["unsafe"]!, keyword.score) }
        }
        return LabelScores(values)
    }
}

/// A capacity refusal, as a batching front of the classifier throws when its queue is full.
struct QueueFull: CapacityRefusal {
    var isCapacityRefusal: Bool { true }
}

/// An audit store that keeps events in memory, or refuses them.
actor RecordingAuditStore: AuditStore {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "disk full (test)" }
    }

    /// What a fail-open store throws when it drops an event (as `AuditError.eventDropped` does).
    struct Dropped: UnconfirmedAuditEvent {
        var servesWithoutAuditID: Bool { true }
    }

    private(set) var events: [AuditEvent] = []
    let failing: Bool
    let dropping: Bool

    init(failing: Bool = false, dropping: Bool = false) {
        self.failing = failing
        self.dropping = dropping
    }

    func record(_ event: AuditEvent) async throws {
        if failing { throw Unavailable() }
        if dropping { throw Dropped() }
        events.append(event)
    }
}

/// Embeds by two features: dosing words and pharmacy-service words (unit vectors).
struct FeatureEmbedder: TextEmbedder {
    let dimension = 3

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in
            let lowered = text.lowercased()
            let dosing: Float = ["mg", "dose", "milligrams", "tablets"].contains { lowered.contains($0) } ? 1 : 0
            let service: Float = ["pharmacy", "prescription", "side effects", "store"].contains { lowered.contains($0) } ? 1 : 0
            let vector: [Float] = [dosing, service, 0.3]
            let norm = (vector.map { $0 * $0 }.reduce(0, +)).squareRoot()
            return vector.map { $0 / norm }
        }
    }
}

/// Policies written to a temporary directory and loaded against the repository's taxonomy.
enum TestPolicies {
    static let taxonomy: HazardTaxonomy = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try! TaxonomyLoader.load(from: root.appendingPathComponent("Taxonomy/mlcommons-v1.yaml"))
    }()

    /// A policy in the repository's format; `onError`, `record` and `storeText` vary per test.
    static func yaml(id: String, onError: String = "block", record: String = "flagged", storeText: String = "full", custom: Bool = false) -> String {
        var text = """
            id: \(id)
            taxonomy: mlcommons-v1
            defaults: { threshold: 0.5, decision: block }
            input:
              - { category: specialized_advice, threshold: 0.5, decision: review }
            output:
              - { category: specialized_advice, threshold: 0.5, decision: review }
            on_error: \(onError)
            audit: { record: \(record), store_text: \(storeText) }
            limits: { max_input_chars: 2000 }
            deny_list:
              - { phrase: ignore all previous instructions, reason: known jailbreak opener, category: jailbreak }

            """
        if custom {
            text += """
                custom_categories:
                  - id: medical_dosing
                    description: A specific dose of a medication for a particular person.
                    examples: [How many mg of ibuprofen should I take?, What dose of melatonin for me?, Can I take 3 tablets tonight?]
                    counter_examples: [When does the pharmacy close?, How do I renew my prescription?, What are the side effects?]
                    threshold: 0.5
                    decision: block

                """
        }
        return text
    }

    /// A store holding the standard test policies: `closed` (fails closed, records flagged, full
    /// text), `open` (fails open, records all, hashes text), `silent` (records all, keeps no text)
    /// and `custom` (with a custom category).
    static func store() throws -> PolicyStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = [
            "closed": yaml(id: "closed"),
            "open": yaml(id: "open", onError: "allow", record: "all", storeText: "hash"),
            "silent": yaml(id: "silent", record: "all", storeText: "none"),
            "custom": yaml(id: "custom", custom: true),
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let store = PolicyStore(directory: directory, taxonomy: taxonomy, log: { _ in })
        let report = store.reload()
        guard report.errors.isEmpty else { throw PolicyFixtureError(report: report.description) }
        return store
    }

    struct PolicyFixtureError: Error, CustomStringConvertible {
        var report: String
        var description: String { "test policies failed to load: \(report)" }
    }
}

extension Guard {
    /// A guard over the test policies.
    static func testing(
        _ classifier: KeywordClassifier = KeywordClassifier(), audit: RecordingAuditStore = RecordingAuditStore(),
        timeout: Duration? = .seconds(5), timeoutPerKiB: Duration = .zero, customScorer: CustomCategoryScorer? = nil, failure: ClassifierFailureReporting = .verdict,
        metrics: (any MetricsFactory)? = nil
    ) throws -> Guard {
        var quiet = Logger(label: "warden.guard.test")
        quiet.logLevel = .critical  // failures are provoked on purpose
        return Guard(
            classifier: classifier, policies: try TestPolicies.store(), customScorer: customScorer, auditStore: audit,
            classifierTimeout: timeout, classifierTimeoutPerKiB: timeoutPerKiB, classifierFailure: failure, logger: quiet, metricsFactory: metrics
        )
    }
}
