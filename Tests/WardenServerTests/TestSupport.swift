import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import WardenAudit
import WardenCore
@testable import WardenServer
import WardenTesting

/// Scores the judged turn by keywords, like a tiny, very confident model.
///
/// `kill` -> violent_crimes 0.9 (OpenAI `violence`), `bomb` -> indiscriminate_weapons 0.95,
/// `vermin` -> hate 0.9, `dose` -> specialized_advice 0.7 (a review rule in the test policy).
/// With a ``Gate`` it holds every call until the gate opens, so tests can fill the queue.
final class KeywordClassifier: SafetyClassifier {
    static let keywords: [(word: String, label: String, score: Double)] = [
        ("kill", "violent_crimes", 0.9), ("bomb", "indiscriminate_weapons", 0.95), ("vermin", "hate", 0.9),
        ("dose", "specialized_advice", 0.7),
    ]

    let modelID = "keyword-test-model@1"
    let labels = ["unsafe", "violent_crimes", "indiscriminate_weapons", "hate", "specialized_advice"]
    let gate: Gate?
    private let seen = Mutex<[[ClassificationInput]]>([])

    init(gate: Gate? = nil) { self.gate = gate }

    /// The batches the classifier was called with.
    var batches: [[ClassificationInput]] { seen.withLock { $0 } }

    func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        seen.withLock { $0.append(inputs) }
        if let gate { await gate.wait() }
        return inputs.map { Self.scores(Self.judged($0)) }
    }

    static func judged(_ input: ClassificationInput) -> String {
        let role: Role = input.direction == .input ? .user : .assistant
        return input.conversation.messages.last { $0.role == role }?.content ?? ""
    }

    static func scores(_ text: String) -> LabelScores {
        var values = Dictionary(uniqueKeysWithValues: ["unsafe", "violent_crimes", "indiscriminate_weapons", "hate", "specialized_advice"].map { ($0, 0.01) })
        let lowered = text.lowercased()
        for keyword in keywords where lowered.contains(keyword.word) {
            values[keyword.label] = keyword.score
            if keyword.label != "specialized_advice" { values["unsafe"] = max(values["unsafe"]!, keyword.score) }
        }
        return LabelScores(values)
    }
}

/// A temporary directory with test policies and an audit database, and an app built on them.
enum TestServer {
    static let repositoryRoot = WardenTesting.repositoryRoot

    /// `default`: blocks at 0.5, reviews specialized advice, records everything with full text,
    /// at most 2000 characters. `strict`: blocks at 0.3.
    static func policy(id: String, threshold: Double = 0.5) -> String {
        """
        id: \(id)
        taxonomy: mlcommons-v1
        defaults: { threshold: \(threshold), decision: block }
        input:
          - { category: specialized_advice, threshold: 0.5, decision: review }
        output:
          - { category: specialized_advice, threshold: 0.5, decision: review }
        on_error: block
        audit: { record: all, store_text: full }
        limits: { max_input_chars: 2000 }

        """
    }

    static let adminToken = "admin-secret-token"
    static let appKey = "sk-app-secret"
    static let otherKey = "sk-other-secret"

    /// Client keys `app` (default policy `default`, may also use `strict`) and `other` (default
    /// `strict`, nothing else), and admin token `ops`.
    static func withKeys(_ configuration: inout ServerConfiguration) {
        configuration.clientKeys = [
            ClientKey(id: "app", key: appKey, defaultPolicy: "default", allowedPolicies: ["strict"]),
            ClientKey(id: "other", key: otherKey, defaultPolicy: "strict"),
        ]
        configuration.adminTokens = [AdminToken(id: "ops", token: adminToken)]
    }

    /// Builds the app over a fresh temporary directory and runs `test` against it.
    static func run<Value: Sendable>(
        _ setup: TestingSetup = .router,
        classifier: any SafetyClassifier = KeywordClassifier(),
        embedder: (any TextEmbedder)? = nil,
        backend: (any GenerationBackend)? = nil,
        auditPath: String? = nil,
        configure: (inout ServerConfiguration, URL) throws -> Void = { configuration, _ in withKeysIfNone(&configuration) },
        _ test: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-server-\(UUID().uuidString)")
        let policies = directory.appendingPathComponent("Policies")
        try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try policy(id: "default").write(to: policies.appendingPathComponent("default.yaml"), atomically: true, encoding: .utf8)
        try policy(id: "strict", threshold: 0.3).write(to: policies.appendingPathComponent("strict.yaml"), atomically: true, encoding: .utf8)

        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.taxonomyPath = repositoryRoot.appendingPathComponent("Taxonomy/mlcommons-v1.yaml").path
        configuration.policiesPath = policies.path
        configuration.policyReloadInterval = .milliseconds(50)
        configuration.batching = BatchingOptions(maxBatchSize: 32, maxWait: .milliseconds(1), queueCapacity: 64)
        try configure(&configuration, directory)
        let store = try SQLiteAuditStore(path: auditPath ?? directory.appendingPathComponent("audit.sqlite").path)
        var logger = Logger(label: "warden.test")
        logger.logLevel = .critical
        let app = try buildApplication(
            configuration: configuration, classifier: classifier, auditStore: store, backend: backend, embedder: embedder, logger: logger)
        return try await app.test(setup) { client in try await test(client) }
    }

    /// The default: no client keys (open), an admin token for the audit API.
    static func withKeysIfNone(_ configuration: inout ServerConfiguration) {
        configuration.adminTokens = [AdminToken(id: "ops", token: adminToken)]
    }
}

// MARK: - Requests

extension TestClientProtocol {
    /// POSTs a JSON text (or any bytes) with an optional bearer token.
    @discardableResult
    func post(_ uri: String, json: String, token: String? = nil) async throws -> TestResponse {
        try await post(uri, bytes: ByteBuffer(string: json), token: token)
    }

    func post(_ uri: String, bytes: ByteBuffer, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: bytes) { $0 }
    }

    func get(_ uri: String, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: .get, headers: headers) { $0 }
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

/// JSON text of a value, for request bodies.
func jsonText(_ object: Any) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// Polls `condition` (up to about 5 s) for effects that land asynchronously, such as audit writes.
func eventually(_ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    for _ in 0..<250 {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}

/// `GET /v1/audit/events/{id}` once the batched writer has stored the event (it lands asynchronously).
func storedAuditEvent(_ id: String, client: any TestClientProtocol) async throws -> [String: Any] {
    for _ in 0..<250 {
        let response = try await client.get("/v1/audit/events/\(id)", token: TestServer.adminToken)
        if response.status == .ok { return response.json }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("audit event \(id) was not stored within 5 s")
    return [:]
}
