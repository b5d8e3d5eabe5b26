import Foundation
import WardenAudit
import WardenAuditPostgres
import WardenTaxonomy
import WardenConfig

/// One source of settings keyed by environment variable name (`WARDEN_PORT`), such as the
/// environment itself or the flags of `warden serve`.
public struct ConfigurationLayer: Sendable {
    public var values: [String: String]
    /// How a value of this layer is named in error messages, from its variable name.
    public var describe: @Sendable (String) -> String

    public init(values: [String: String], describe: @escaping @Sendable (String) -> String) {
        self.values = values
        self.describe = describe
    }

    /// The `WARDEN_*` variables of an environment.
    public static func environment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigurationLayer {
        ConfigurationLayer(values: environment.filter { $0.key.hasPrefix("WARDEN_") }) { "environment variable \($0)" }
    }
}

extension ServerConfiguration {
    /// Builds the configuration from defaults, then the settings file (YAML or JSON), then each layer.
    /// - Parameters:
    ///   - file: a settings file; `nil` for none.
    ///   - layers: later layers win, e.g. `[.environment(), flags]`.
    /// - Throws: ``ServerConfigurationError`` or `ConfigurationIssue`, naming the file and key, the
    ///   variable or the flag.
    public static func resolve(file: URL?, layers: [ConfigurationLayer]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file { try configuration.apply(file: file) }
        for layer in layers {
            for setting in Setting.all {
                guard let value = layer.values[setting.variable] else { continue }
                try setting.apply(&configuration, value, layer.describe(setting.variable))
            }
            if let keys = layer.values["WARDEN_API_KEYS"] {
                configuration.clientKeys = try Self.parseClientKeys(keys, source: layer.describe("WARDEN_API_KEYS"))
            }
            if let tokens = layer.values["WARDEN_ADMIN_TOKENS"] {
                configuration.adminTokens = try Self.parseAdminTokens(tokens, source: layer.describe("WARDEN_ADMIN_TOKENS"))
            }
            if let tokens = layer.values["WARDEN_REVIEWER_TOKENS"] {
                configuration.reviewerTokens = try Self.parseAdminTokens(
                    tokens, source: layer.describe("WARDEN_REVIEWER_TOKENS"), unnamedPrefix: "reviewer")
            }
        }
        try configuration.validate()
        return configuration
    }

    /// Checks what no single setting can: unique key ids, a default policy every key may use.
    func validate() throws(ServerConfigurationError) {
        var seen: Set<String> = []
        for key in clientKeys where !seen.insert(key.key).inserted {
            throw ServerConfigurationError(source: "api_keys", message: "the key of '\(key.id)' is listed twice")
        }
        for token in adminTokens where clientKeys.contains(where: { $0.key == token.token }) {
            throw ServerConfigurationError(
                source: "admin_tokens", message: "admin token '\(token.id)' is also a client key; give them different secrets")
        }
        // A secret shared by two roles would be read as the stronger one; say so instead.
        for token in reviewerTokens
        where clientKeys.contains(where: { $0.key == token.token }) || adminTokens.contains(where: { $0.token == token.token }) {
            throw ServerConfigurationError(
                source: "reviewer_tokens",
                message: "reviewer token '\(token.id)' is also a client key or admin token; give each role its own secret")
        }
    }

    // MARK: - Environment and flag syntax

    /// `id:key[:default_policy[:allowed+allowed]]`, entries separated by commas.
    static func parseClientKeys(_ text: String, source: String) throws(ServerConfigurationError) -> [ClientKey] {
        var keys: [ClientKey] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (2...4).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ServerConfigurationError(
                    source: source, message: "expected id:key[:default_policy[:allowed+allowed]] entries separated by commas")
            }
            let defaultPolicy = parts.count > 2 && !parts[2].isEmpty ? parts[2] : nil
            let allowed = parts.count > 3 ? parts[3].split(separator: "+").map(String.init) : []
            keys.append(ClientKey(id: parts[0], key: parts[1], defaultPolicy: defaultPolicy, allowedPolicies: allowed))
        }
        return keys
    }

    /// `id:token` (or a bare token, named `admin-<n>` or `reviewer-<n>`), separated by commas.
    static func parseAdminTokens(
        _ text: String, source: String, unnamedPrefix: String = "admin"
    ) throws(ServerConfigurationError) -> [AdminToken] {
        var tokens: [AdminToken] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            if let colon = entry.firstIndex(of: ":") {
                let id = String(entry[..<colon])
                let token = String(entry[entry.index(after: colon)...])
                guard !id.isEmpty, !token.isEmpty else {
                    throw ServerConfigurationError(source: source, message: "expected id:token entries separated by commas")
                }
                tokens.append(AdminToken(id: id, token: token))
            } else {
                tokens.append(AdminToken(id: "\(unnamedPrefix)-\(tokens.count + 1)", token: entry))
            }
        }
        return tokens
    }
}

// MARK: - Settings

/// A setting that has one scalar value: its variable, its place in the file, and how it is applied.
struct Setting: Sendable {
    var variable: String
    /// Section and key in the settings file; an empty section is a top-level key.
    var section: String
    var key: String
    var apply: @Sendable (inout ServerConfiguration, String, String) throws -> Void

    static let all: [Setting] = [
        Setting(variable: "WARDEN_HOST", section: "server", key: "host") { c, v, _ in c.host = v },
        Setting(variable: "WARDEN_PORT", section: "server", key: "port") { c, v, s in c.port = try integer(v, s, in: 0...65_535) },
        Setting(variable: "WARDEN_MAX_BODY_BYTES", section: "server", key: "max_body_bytes") { c, v, s in
            c.maxBodyBytes = try integer(v, s, in: 1...(1 << 30))
        },
        Setting(variable: "WARDEN_REQUEST_TIMEOUT_MS", section: "server", key: "request_timeout_ms") { c, v, s in
            c.requestTimeout = .milliseconds(try integer(v, s, in: 1...600_000))
        },
        Setting(variable: "WARDEN_REQUEST_TIMEOUT_MS_PER_KIB", section: "server", key: "request_timeout_ms_per_kib") { c, v, s in
            c.requestTimeoutPerKiB = .milliseconds(try integer(v, s, in: 0...60_000))
        },
        Setting(variable: "WARDEN_IDLE_TIMEOUT_MS", section: "server", key: "idle_timeout_ms") { c, v, s in
            c.idleTimeout = .milliseconds(try integer(v, s, in: 1...3_600_000))
        },
        Setting(variable: "WARDEN_MAX_CONNECTIONS", section: "server", key: "max_connections") { c, v, s in
            c.maxConnections = try integer(v, s, in: 1...10_000_000)
        },
        Setting(variable: "WARDEN_RETRY_AFTER_SECONDS", section: "server", key: "retry_after_seconds") { c, v, s in
            c.retryAfterSeconds = try integer(v, s, in: 0...3_600)
        },
        Setting(variable: "WARDEN_MODEL", section: "model", key: "bundle") { c, v, _ in c.modelPath = v },
        Setting(variable: "WARDEN_MODEL_ROUTE", section: "model", key: "route") { c, v, s in
            // `fr,de=DIR`; several routes are separated by `;`. Empty turns routing off.
            do {
                c.modelRoutes = try v.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    .map { try LanguageRoute(parsing: $0) }
            } catch let error as ServerConfigurationError {
                throw ServerConfigurationError(source: s, message: error.message)
            }
        },
        Setting(variable: "WARDEN_WORKERS", section: "model", key: "workers") { c, v, s in c.modelWorkers = try integer(v, s, in: 1...64) },
        Setting(variable: "WARDEN_TAXONOMY", section: "", key: "taxonomy") { c, v, _ in c.taxonomyPath = v },
        Setting(variable: "WARDEN_POLICIES", section: "policies", key: "directory") { c, v, _ in c.policiesPath = v },
        Setting(variable: "WARDEN_DEFAULT_POLICY", section: "policies", key: "default") { c, v, _ in c.defaultPolicy = v },
        Setting(variable: "WARDEN_POLICY_RELOAD_SECONDS", section: "policies", key: "reload_seconds") { c, v, s in
            c.policyReloadInterval = .seconds(try integer(v, s, in: 1...86_400))
        },
        Setting(variable: "WARDEN_AUDIT_DB", section: "audit", key: "database") { c, v, _ in c.auditDatabasePath = v },
        Setting(variable: "WARDEN_AUDIT_URL", section: "audit", key: "url") { c, v, s in
            let text = v.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else {
                c.auditURL = nil
                return
            }
            do {
                _ = try PostgresAuditURL(text)
            } catch let error as AuditError {
                throw ServerConfigurationError(source: s, message: error.description)
            }
            c.auditURL = text
        },
        Setting(variable: "WARDEN_AUDIT_FAILURE_MODE", section: "audit", key: "failure_mode") { c, v, s in
            guard let mode = AuditFailureMode(rawValue: v) else {
                throw ServerConfigurationError(source: s, message: "'\(v)' is not fail-open or fail-closed")
            }
            c.auditFailureMode = mode
        },
        Setting(variable: "WARDEN_AUDIT_DURABILITY", section: "audit", key: "durability") { c, v, s in
            guard let durability = AuditDurability(rawValue: v) else {
                throw ServerConfigurationError(source: s, message: "'\(v)' is not batched or commit")
            }
            c.auditDurability = durability
        },
        Setting(variable: "WARDEN_BACKEND_URL", section: "backend", key: "url") { c, v, _ in c.backendURL = v },
        Setting(variable: "WARDEN_BACKEND_MODEL", section: "backend", key: "model") { c, v, _ in c.backendModel = v },
        Setting(variable: "WARDEN_BACKEND_API_KEY", section: "backend", key: "api_key") { c, v, _ in c.backendAPIKey = v },
        Setting(variable: "WARDEN_MAX_BATCH", section: "batching", key: "max_batch") { c, v, s in
            c.batching.maxBatchSize = try integer(v, s, in: 1...1_024)
        },
        Setting(variable: "WARDEN_BATCH_WAIT_MS", section: "batching", key: "max_wait_ms") { c, v, s in
            c.batching.maxWait = .milliseconds(try integer(v, s, in: 0...1_000))
        },
        Setting(variable: "WARDEN_QUEUE_CAPACITY", section: "batching", key: "queue_capacity") { c, v, s in
            c.batching.queueCapacity = try integer(v, s, in: 1...1_000_000)
        },
        Setting(variable: "WARDEN_MAX_REQUEST_WINDOWS", section: "batching", key: "max_request_windows") { c, v, s in
            c.batching.maxRequestWindows = try integer(v, s, in: 1...100_000)
        },
        Setting(variable: "WARDEN_BACKEND_TIMEOUT_MS", section: "backend", key: "timeout_ms") { c, v, s in
            c.backendTimeout = .milliseconds(try integer(v, s, in: 100...3_600_000))
        },
        Setting(variable: "WARDEN_BACKEND_STREAM_TIMEOUT_MS", section: "backend", key: "stream_timeout_ms") { c, v, s in
            c.backendStreamTimeout = .milliseconds(try integer(v, s, in: 100...3_600_000))
        },
        Setting(variable: "WARDEN_BACKEND_MAX_ANSWER_BYTES", section: "backend", key: "max_answer_bytes") { c, v, s in
            c.backendMaxAnswerBytes = try integer(v, s, in: 1_024...(64 << 20))
        },
    ]

    static func integer(_ text: String, _ source: String, in range: ClosedRange<Int>) throws(ServerConfigurationError) -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ServerConfigurationError(
                source: source, message: "'\(text)' is not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}
