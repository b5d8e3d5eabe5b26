import Foundation
import WardenAudit

/// Everything `warden serve` needs to know, resolved from a settings file, `WARDEN_*` environment
/// variables and flags (later sources win; see ``ServerConfiguration/resolve(file:layers:)``).
public struct ServerConfiguration: Sendable, Hashable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Model bundle folder; `nil` lets the caller pick its default (the CLI looks next to the binary).
    public var modelPath: String?
    /// Forward-pass threads of the encoder. Two on a 2-core machine: with one BLAS thread each, Warden's own
    /// 2-way split served 235 requests/s against 177 for one worker over 2-thread OpenBLAS (BENCHMARKS.md).
    public var modelWorkers = min(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Bundles that judge text in given languages instead of ``modelPath``'s (`model.route`).
    public var modelRoutes: [LanguageRoute] = [] { didSet { modelRoutesGiven = true } }
    /// Whether any layer set `model.route`, even to nothing: `warden serve` adds the shipped default route only when
    /// neither a bundle nor routes were named anywhere.
    public private(set) var modelRoutesGiven = false
    public var taxonomyPath: String?
    public var policiesPath: String?
    /// The policy of requests that name none and whose key sets none.
    public var defaultPolicy = "default"
    /// How often the policy directory is re-read.
    public var policyReloadInterval: Duration = .seconds(2)
    /// The audit database; `nil` means `$WARDEN_AUDIT_DB`, else `$WARDEN_HOME/audit.sqlite`.
    public var auditDatabasePath: String?
    /// A shared PostgreSQL audit store (`postgres://user@host:port/db`); when set it replaces the SQLite file, so
    /// replicas behind a load balancer write one log. Holds the password if the URL does: log only its redacted form.
    public var auditURL: String?
    public var auditFailureMode: AuditFailureMode = .failOpen
    /// Whether a response waits for its audit event's commit (see ``AuditDurability``).
    public var auditDurability: AuditDurability = .batched
    /// The chat server behind `/v1/chat/completions` (`echo` for ``BackendSettings/echo``);
    /// `nil` answers that route with 503.
    public var backendURL: String?
    /// The model to ask the backend for when a request names none.
    public var backendModel: String?
    public var backendAPIKey: String?
    /// The largest answer read from the backend, streamed or not (502 beyond): it bounds what the output check
    /// must score. The default, 256 KiB, is about 60,000 English tokens.
    public var backendMaxAnswerBytes = 256 << 10
    /// Deadline of a non-streamed backend answer, and of a whole stream.
    public var backendTimeout: Duration = .seconds(120)
    public var backendStreamTimeout: Duration = .seconds(600)
    /// Client keys; none means the client endpoints are open.
    public var clientKeys: [ClientKey] = []
    /// Tokens of the audit API (always required there).
    public var adminTokens: [AdminToken] = []
    /// Tokens of reviewers: they read the audit log and label events (the review page), but cannot export or prune.
    public var reviewerTokens: [ReviewerToken] = []
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes = 1 << 20
    public var batching = BatchingOptions()
    /// The longest a classifier call may take per request of up to 4 KiB of text (queue wait included).
    public var requestTimeout: Duration = .seconds(5)
    /// Added to ``requestTimeout`` per KiB of text beyond 4 KiB (see `ClassifierDeadline`): the default policy's
    /// longest input, 100,000 characters, gets about 29 s, where it needs about 12 s alone on two cores.
    public var requestTimeoutPerKiB: Duration = .milliseconds(250)
    /// How many seconds an overloaded server asks clients to wait (`Retry-After`).
    public var retryAfterSeconds = 1
    /// A connection with no request in progress (idle between requests, or a request head that never completes) is
    /// closed after this long, so silent connections cannot pile up until the process runs out of descriptors.
    public var idleTimeout: Duration = .seconds(30)
    /// Client connections open at once; more are answered 503 `too_many_connections` and closed. `nil` derives it
    /// from the descriptor limit (see ``DescriptorLimit``); a larger value is lowered to that.
    public var maxConnections: Int?
    /// A streamed chat answer with nothing to send for this long gets an SSE comment line (`: keep-alive`), which
    /// clients ignore; its failed write is how a client that left is noticed, and its generation cancelled.
    public var streamKeepAlive: Duration = .seconds(1)

    public init() {}

    /// The generation backend of `/v1/chat/completions`, if one is configured.
    public var backend: BackendSettings? {
        guard let backendURL, !backendURL.isEmpty else { return nil }
        if backendURL == "echo" { return .echo }
        return .openAICompatible(url: backendURL, model: backendModel, apiKey: backendAPIKey)
    }

    /// The database path in force: the configured one, else the audit module's default.
    public func resolvedAuditDatabasePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        auditDatabasePath ?? AuditDatabaseLocation.defaultPath(environment: environment)
    }
}

/// Where `/v1/chat/completions` sends allowed requests.
public enum BackendSettings: Sendable, Hashable, CustomStringConvertible {
    /// Answers with the last user message (demos, smoke tests, measuring the guard's overhead).
    case echo
    /// Any OpenAI-compatible chat server.
    case openAICompatible(url: String, model: String?, apiKey: String?)

    /// For logs: never shows the API key.
    public var description: String {
        switch self {
        case .echo: "echo"
        case .openAICompatible(let url, let model, let apiKey):
            url + (model.map { " (model \($0))" } ?? "") + (apiKey == nil ? "" : " with an API key")
        }
    }
}

/// A client's API key: which policies it may use, and which applies when a request names none.
public struct ClientKey: Sendable, Hashable {
    /// A name for logs and the audit log (never the key itself).
    public var id: String
    public var key: String
    /// The policy of this key's requests that name none; `nil` uses the server's default.
    public var defaultPolicy: String?
    /// Policies a request may name; empty allows only the default, `*` allows all.
    public var allowedPolicies: [String]

    public init(id: String, key: String, defaultPolicy: String? = nil, allowedPolicies: [String] = []) {
        self.id = id
        self.key = key
        self.defaultPolicy = defaultPolicy
        self.allowedPolicies = allowedPolicies
    }
}

/// A token of the audit API.
public struct AdminToken: Sendable, Hashable {
    public var id: String
    public var token: String

    public init(id: String, token: String) {
        self.id = id
        self.token = token
    }
}

/// A reviewer's token: the admin token's shape (an id for logs and reviews, and the secret), a narrower role.
public typealias ReviewerToken = AdminToken

/// Dynamic batching of classifier calls (see ``BatchingClassifier``). Costs are counted in windows: a text of
/// up to about 250 tokens is one window; a longer one is several (overlapping by the model's `window_overlap`).
public struct BatchingOptions: Sendable, Hashable {
    /// Windows per forward pass, at most (bounds the memory of one pass).
    public var maxBatchSize: Int
    /// How long an idle batcher waits after the first arrival for others to join.
    public var maxWait: Duration
    /// Windows waiting for a forward pass, at most; beyond it requests are refused (503).
    public var queueCapacity: Int
    /// Windows of one request, at most; a larger request is refused (413). `queueCapacity` caps it too.
    public var maxRequestWindows: Int

    public init(maxBatchSize: Int = 32, maxWait: Duration = .milliseconds(2), queueCapacity: Int = 1_024, maxRequestWindows: Int = 256) {
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxWait = maxWait
        self.queueCapacity = max(1, queueCapacity)
        self.maxRequestWindows = max(1, maxRequestWindows)
    }
}

/// A setting that cannot be used, named by where it came from (file and key, variable or flag).
public struct ServerConfigurationError: Error, Sendable, Hashable, LocalizedError, CustomStringConvertible {
    /// Where the value came from, such as `warden.yaml: server.port`, `environment variable WARDEN_PORT`, `flag --port`.
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
    public var errorDescription: String? { description }
}
