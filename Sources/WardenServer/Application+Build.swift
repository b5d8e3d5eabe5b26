import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import WardenAudit
import WardenBackends
import WardenCore
import WardenPipeline
import WardenPolicy
import WardenTaxonomy

/// Builds the Warden HTTP service: routes, auth, error mapping, metrics, and the services that live
/// beside the server (the batcher, the policy reload loop and the audit writer).
///
/// Loads the taxonomy and policies named by `configuration`; the classifier and the audit store
/// are passed in, so tests use a fake classifier and a temporary database.
/// - Parameters:
///   - classifier: the model; wrapped in a ``BatchingClassifier``.
///   - auditStore: the audit database, SQLite or PostgreSQL (an ``AuditWriter`` batches writes to it).
///   - backend: the chat backend; `nil` builds the one `configuration.backend` names (or none).
///   - embedder: scores policies' custom categories when given (the encoder is one).
///   - metrics: where the service counts; `/metrics` renders its registry.
/// - Throws: ``ServerConfigurationError`` for a missing taxonomy, policy directory or default policy.
public func buildApplication(
    configuration: ServerConfiguration,
    classifier: any SafetyClassifier,
    auditStore: any AuditLogStore,
    backend: (any GenerationBackend)? = nil,
    embedder: (any TextEmbedder)? = nil,
    metrics: ServerMetrics = ServerMetrics(),
    logger: Logger = Logger(label: "warden.server")
) throws -> some ApplicationProtocol {
    let policies = try loadPolicies(configuration, modelThresholds: classifier.operatingThresholds, logger: logger)
    let batcher = BatchingClassifier(classifier, options: configuration.batching, observer: metrics.batchObserver)
    let auditWriter = AuditWriter(
        store: auditStore,
        configuration: AuditWriterConfiguration(failureMode: configuration.auditFailureMode, durability: configuration.auditDurability),
        logger: logger,
        retentionByPolicy: { [policies] in policies.retentionDays })
    let guardStage = Guard(
        classifier: batcher, policies: policies, customScorer: embedder.map { CustomCategoryScorer(embedder: $0) },
        auditStore: auditWriter, classifierTimeout: configuration.requestTimeout,
        classifierTimeoutPerKiB: configuration.requestTimeoutPerKiB, classifierFailure: .error, logger: logger,
        metricsFactory: metrics.guardMetricsFactory)
    let chatBackend = try backend ?? makeBackend(configuration)
    let service = WardenService(
        configuration: configuration, guard: guardStage, batcher: batcher, policies: policies,
        generator: chatBackend.map { GuardedGenerator(backend: $0, guard: guardStage) },
        backendModel: configuration.backendModel ?? (configuration.backend == .echo ? "echo" : "default"),
        auditStore: auditStore, auditWriter: auditWriter,
        authenticator: Authenticator(
            clientKeys: configuration.clientKeys, adminTokens: configuration.adminTokens, reviewerTokens: configuration.reviewerTokens),
        metrics: metrics, logger: logger)

    let router = Router()
    // Outermost, so error responses made by APIMiddleware get the headers too.
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: APIMiddleware(metrics: metrics, retryAfter: configuration.retryAfterSeconds, logger: logger))
    router.get("/healthz") { _, _ in try service.health() }
    router.get("/readyz") { _, _ in try await service.readiness() }
    router.get("/metrics") { _, _ in service.prometheus() }
    router.post("/v1/moderations") { request, _ in try await service.moderate(request) }
    router.post("/v1/guard/check") { request, _ in try await service.check(request) }
    router.post("/v1/chat/completions") { request, _ in try await service.chatCompletion(request) }
    router.get("/v1/audit/events") { request, _ in try await service.auditEvents(request) }
    router.get("/v1/audit/events/{id}") { request, context in
        try await service.auditEvent(request, id: try context.parameters.require("id"))
    }
    router.post("/v1/audit/events/{id}/review") { request, context in
        try await service.reviewAuditEvent(request, id: try context.parameters.require("id"))
    }
    router.get("/v1/audit/stats") { request, _ in try await service.auditStatistics(request) }
    router.get("/v1/audit/session") { request, _ in try service.auditSession(request) }
    router.get("/v1/audit/export") { request, _ in try await service.auditExport(request) }
    router.get("/review") { _, _ in ReviewPage.page() }
    router.get("/review/{asset}") { _, context in try ReviewPage.asset(try context.parameters.require("asset")) }

    // Shut down in reverse order, after the server has finished its requests: the batcher
    // answers what is queued, then the audit writer drains its queue.
    let services: [any Service] = [
        AuditWriterService(writer: auditWriter, logger: logger),
        PolicyReloadService(policies: policies, interval: configuration.policyReloadInterval),
        batcher,
    ]
    let connections = ConnectionLimiter.serving(configuration, metrics: metrics, logger: logger)
    let idle = configuration.idleTimeout.components
    let idleTimeout = TimeAmount.nanoseconds(idle.seconds * 1_000_000_000 + idle.attoseconds / 1_000_000_000)
    return Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionGateHandler(limiter: connections, retryAfter: configuration.retryAfterSeconds),
                    MalformedRequestResponder(),
                ],
                idleTimeout: idleTimeout)),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "warden"),
        services: services, logger: logger)
}

/// Loads the taxonomy and the policy directory, and checks that the default policy is among them.
func loadPolicies(_ configuration: ServerConfiguration, modelThresholds: [String: Double], logger: Logger) throws -> PolicyStore {
    guard let taxonomyPath = configuration.taxonomyPath else {
        throw ServerConfigurationError(source: "taxonomy", message: "no taxonomy file given; pass --taxonomy or set WARDEN_TAXONOMY")
    }
    guard let policiesPath = configuration.policiesPath else {
        throw ServerConfigurationError(source: "policies.directory", message: "no policy directory given; pass --policies or set WARDEN_POLICIES")
    }
    let taxonomy = try TaxonomyLoader.load(from: URL(fileURLWithPath: taxonomyPath))
    let policies = PolicyStore(
        directory: URL(fileURLWithPath: policiesPath, isDirectory: true), taxonomy: taxonomy, modelThresholds: modelThresholds,
        requiredIDs: Set([configuration.defaultPolicy] + configuration.clientKeys.compactMap(\.defaultPolicy))
    ) { report in
        for error in report.errors { logger.error("policy not (re)loaded; the previous version stays in force", metadata: ["warden.error": "\(error)"]) }
        if !report.loaded.isEmpty { logger.info("policies loaded", metadata: ["warden.policies": "\(report.loaded.joined(separator: ", "))"]) }
        if !report.removed.isEmpty { logger.info("policies removed", metadata: ["warden.policies": "\(report.removed.joined(separator: ", "))"]) }
    }
    policies.reload()
    guard policies.engine(id: configuration.defaultPolicy) != nil else {
        let problems = policies.errors.map(\.description).joined(separator: "; ")
        throw ServerConfigurationError(
            source: "policies.default",
            message: "the default policy '\(configuration.defaultPolicy)' is not loaded from \(policiesPath) "
                + "(loaded: \(policies.ids.joined(separator: ", ")))" + (problems.isEmpty ? "" : "; problems: \(problems)"))
    }
    return policies
}

/// The backend a configuration names.
func makeBackend(_ configuration: ServerConfiguration) throws -> (any GenerationBackend)? {
    switch configuration.backend {
    case nil: return nil
    case .echo: return EchoBackend()
    case .openAICompatible(let url, let model, let apiKey):
        return try OpenAICompatibleBackend(configuration: .init(
            baseURL: url, apiKey: apiKey, model: model, timeout: configuration.backendTimeout,
            streamTimeout: configuration.backendStreamTimeout, maxResponseBytes: configuration.backendMaxAnswerBytes))
    }
}

// MARK: - Services

/// Runs the audit writer for the life of the server; on shutdown it writes what is queued.
struct AuditWriterService: Service {
    let writer: AuditWriter
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { await writer.run() }
        do {
            try await writer.shutdown()
        } catch {
            logger.error("audit events lost at shutdown", metadata: ["warden.error": "\(error)"])
        }
    }
}

/// Re-reads the policy directory every `interval` until shutdown.
struct PolicyReloadService: Service {
    let policies: PolicyStore
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown { await policies.run(every: interval) }
    }
}
