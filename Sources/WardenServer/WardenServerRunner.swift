import Foundation
import Hummingbird
import Logging
import WardenAudit
import WardenAuditPostgres
import WardenModel

/// Runs the service as `warden serve` does: loads the model, opens the audit log, routes
/// the guard's metrics into the service's Prometheus registry, and serves until SIGINT or SIGTERM, then
/// shuts down gracefully (requests in flight finish, the batcher and the audit queue drain).
public enum WardenServerRunner {
    /// - Parameter logLevel: `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public static func run(configuration: ServerConfiguration, logLevel: String = "info") async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ServerConfigurationError(source: "--log-level", message: "'\(logLevel)' is not trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "warden.server")
        let descriptors = DescriptorLimit.raiseSoftLimit()
        logger.info("descriptor limit", metadata: ["warden.descriptor_limit": "\(descriptors)"])
        guard let modelPath = configuration.modelPath else {
            throw ServerConfigurationError(source: "model.bundle", message: "no model bundle given; pass --model or set WARDEN_MODEL")
        }
        let bundle = URL(fileURLWithPath: modelPath, isDirectory: true)
        guard FileManager.default.fileExists(atPath: bundle.appendingPathComponent("manifest.json").path) else {
            throw ServerConfigurationError(
                source: "model.bundle",
                message: "no model bundle at \(modelPath) (manifest.json is missing); pass --model DIR, set WARDEN_MODEL, "
                    + "or train one with `warden train head`")
        }
        let started = ContinuousClock.now
        let judge = try JudgeModel.load(bundle: bundle, routes: configuration.modelRoutes, workers: configuration.modelWorkers)
        let classifier = judge.classifier
        logger.info(
            "model loaded",
            metadata: [
                "warden.model": "\(classifier.modelID)", "warden.routes": "\(configuration.modelRoutes.map(\.description))",
                "warden.load_ms": "\((ContinuousClock.now - started) / .milliseconds(1))",
            ])
        let store = try await openAuditStore(configuration, logger: logger)

        let metrics = ServerMetrics()
        let app = try buildApplication(
            configuration: configuration, classifier: classifier, auditStore: store, embedder: judge.main, metrics: metrics,
            logger: logger)
        logger.info(
            "serving",
            metadata: [
                "warden.address": "http://\(configuration.host):\(configuration.port)",
                "warden.backend": "\(configuration.backend.map { "\($0)" } ?? "none")",
                "warden.auth": "\(configuration.clientKeys.isEmpty ? "open" : "\(configuration.clientKeys.count) client keys")",
            ])
        try await app.runService()
    }

    /// The SQLite file, or the PostgreSQL store when `audit.url` is set. A PostgreSQL server that cannot be reached
    /// yet does not stop the start: the replica serves as not ready (`/readyz`) and the audit writer retries with
    /// backoff, so replicas may start before the database. A wrong password, database or URL stops it.
    static func openAuditStore(_ configuration: ServerConfiguration, logger: Logger) async throws -> any AuditLogStore {
        guard let url = configuration.auditURL else {
            let path = configuration.resolvedAuditDatabasePath()
            let store = try SQLiteAuditStore(path: path)
            logger.info("audit log open", metadata: ["warden.audit": "\(path)"])
            return store
        }
        let store = try PostgresAuditStore(url: PostgresAuditURL(url), logger: logger)
        do {
            try await store.prepare()
            logger.info("audit log open", metadata: ["warden.audit": "\(store.location)"])
        } catch AuditError.databaseUnreachable(let location, let detail) {
            logger.warning(
                "audit database unreachable at start; serving as not ready and retrying",
                metadata: ["warden.audit": "\(location)", "warden.error": "\(detail)"])
        }
        return store
    }
}
