import ArgumentParser
import Foundation
import WardenServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP service: OpenAI-compatible moderation, guard checks, a guarded chat proxy, the audit API.",
        discussion: """
        Settings come from, lowest first: defaults, the settings file (--config or WARDEN_CONFIG; YAML or JSON),
        WARDEN_* environment variables, then these flags. See Docs/service.md.

        warden serve                                   # 127.0.0.1:8080, open client endpoints, the shipped route
        warden serve --route ''                        # English model for every language
        warden serve --backend http://127.0.0.1:8081 --backend-model llama3
        warden serve --backend echo --admin-tokens ops:$(openssl rand -hex 16)
        WARDEN_API_KEYS="app:sk-app-1:default:default+strict" warden serve --config warden.yaml
        """
    )

    @Option(help: "Settings file (YAML or JSON).") var config: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 8080).") var port: Int?
    @Option(help: "Model bundle folder (default: $WARDEN_MODEL or Models/warden-minilm-lora).") var model: String?
    @Option(help: "Forward-pass worker threads of the encoder (default 2, or 1 on a 1-core machine).") var workers: Int?
    @Option(help: "Judge some languages with another bundle: LANGUAGES=DIR (repeatable; $WARDEN_MODEL_ROUTE separates routes with ;). Default when no --model is named: de,es,fr,hi,it,pt,th=Models/warden-e5-multilingual; --route '' turns routing off.")
    var route: [String] = []
    @Option(help: "Taxonomy file (default: $WARDEN_TAXONOMY or Taxonomy/mlcommons-v1.yaml).") var taxonomy: String?
    @Option(help: "Policy directory, hot-reloaded (default: $WARDEN_POLICIES or Policies).") var policies: String?
    @Option(help: "Policy of requests that name none (default: default).") var defaultPolicy: String?
    @Option(help: "Audit database (default: $WARDEN_AUDIT_DB or $WARDEN_HOME/audit.sqlite).") var auditDb: String?
    @Option(help: "Shared PostgreSQL audit store instead of the file: postgres://user@host:port/db (prefer WARDEN_AUDIT_URL and PGPASSWORD).")
    var auditUrl: String?
    @Option(help: "Chat backend for /v1/chat/completions: an OpenAI-compatible base URL, or 'echo'.") var backend: String?
    @Option(help: "Model to ask the backend for when a request names none.") var backendModel: String?
    @Option(help: "API key sent to the backend (prefer WARDEN_BACKEND_API_KEY: flags show in ps).") var backendApiKey: String?
    @Option(help: "Client keys id:key[:default_policy[:allowed+allowed]], comma-separated (prefer WARDEN_API_KEYS).")
    var apiKeys: String?
    @Option(help: "Admin tokens id:token, comma-separated, for the audit API (prefer WARDEN_ADMIN_TOKENS).") var adminTokens: String?
    @Option(help: "Reviewer tokens id:token, comma-separated: the review page and audit reads, no export (prefer WARDEN_REVIEWER_TOKENS).")
    var reviewerTokens: String?
    @Option(help: "Largest request body in bytes (default 1048576).") var maxBodyBytes: Int?
    @Option(help: "Model windows (about 250 tokens each) per forward pass, at most (default 32).") var maxBatch: Int?
    @Option(help: "Milliseconds an idle batcher waits for a batch to fill (default 2).") var batchWaitMs: Int?
    @Option(help: "Model windows waiting before requests get 503 (default 1024).") var queueCapacity: Int?
    @Option(help: "Model windows one request may use before it gets 413 (default 256).") var maxRequestWindows: Int?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"

    /// The flags as a settings layer, keyed like the environment so both go through one parser.
    private var flagLayer: ConfigurationLayer {
        let pairs: [(String, String, String?)] = [
            ("WARDEN_HOST", "--host", host), ("WARDEN_PORT", "--port", port.map(String.init)),
            ("WARDEN_MODEL", "--model", model), ("WARDEN_WORKERS", "--workers", workers.map(String.init)),
            ("WARDEN_MODEL_ROUTE", "--route", route.isEmpty ? nil : route.joined(separator: ";")),
            ("WARDEN_TAXONOMY", "--taxonomy", taxonomy), ("WARDEN_POLICIES", "--policies", policies),
            ("WARDEN_DEFAULT_POLICY", "--default-policy", defaultPolicy), ("WARDEN_AUDIT_DB", "--audit-db", auditDb),
            ("WARDEN_AUDIT_URL", "--audit-url", auditUrl),
            ("WARDEN_BACKEND_URL", "--backend", backend), ("WARDEN_BACKEND_MODEL", "--backend-model", backendModel),
            ("WARDEN_BACKEND_API_KEY", "--backend-api-key", backendApiKey), ("WARDEN_API_KEYS", "--api-keys", apiKeys),
            ("WARDEN_ADMIN_TOKENS", "--admin-tokens", adminTokens), ("WARDEN_REVIEWER_TOKENS", "--reviewer-tokens", reviewerTokens),
            ("WARDEN_MAX_BODY_BYTES", "--max-body-bytes", maxBodyBytes.map(String.init)),
            ("WARDEN_MAX_BATCH", "--max-batch", maxBatch.map(String.init)),
            ("WARDEN_BATCH_WAIT_MS", "--batch-wait-ms", batchWaitMs.map(String.init)),
            ("WARDEN_QUEUE_CAPACITY", "--queue-capacity", queueCapacity.map(String.init)),
            ("WARDEN_MAX_REQUEST_WINDOWS", "--max-request-windows", maxRequestWindows.map(String.init)),
        ]
        var values: [String: String] = [:]
        var flags: [String: String] = [:]
        for (variable, flag, value) in pairs {
            flags[variable] = flag
            if let value { values[variable] = value }
        }
        let names = flags
        return ConfigurationLayer(values: values) { "flag \(names[$0] ?? $0)" }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let file = (config ?? environment["WARDEN_CONFIG"]).map { URL(fileURLWithPath: $0) }
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.resolve(file: file, layers: [.environment(environment), flagLayer])
        } catch {
            throw ValidationError("\(error)")
        }
        // Neither a bundle nor routes named anywhere: the shipped deployment, non-English text judged by the
        // multilingual bundle (`--route ''` turns routing off).
        if configuration.modelPath == nil && !configuration.modelRoutesGiven, let shipped = Locations.defaultRoute() {
            configuration.modelRoutes = [shipped]
        }
        // Paths not given anywhere: the shipped files, found as the other commands find them.
        configuration.modelPath = configuration.modelPath ?? Locations.model(nil).path
        configuration.taxonomyPath = configuration.taxonomyPath ?? Locations.taxonomy(nil).path
        configuration.policiesPath = configuration.policiesPath ?? Locations.policies(nil).path
        do {
            try await WardenServerRunner.run(configuration: configuration, logLevel: logLevel)
        } catch let error as ServerConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
