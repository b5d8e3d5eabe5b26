import Foundation
import WardenTaxonomy
import WardenConfig

/// The settings file of `warden serve` (YAML, or JSON, which YAML reads as well):
///
/// ```yaml
/// server: { host: 127.0.0.1, port: 8080, max_body_bytes: 1048576, request_timeout_ms: 5000 }
/// model: { bundle: Models/warden-minilm-lora, workers: 2 }
/// taxonomy: Taxonomy/mlcommons-v1.yaml
/// policies: { directory: Policies, default: default, reload_seconds: 2 }
/// audit: { database: /var/lib/warden/audit.sqlite, failure_mode: fail-open }   # or { url: postgres://warden@db/warden }
/// backend: { url: http://127.0.0.1:8081, model: llama, api_key: sk-... }   # or { url: echo }
/// batching: { max_batch: 32, max_wait_ms: 2, queue_capacity: 128 }
/// api_keys:
///   - { id: app, key: sk-app-1, default_policy: default, allowed_policies: [default, strict] }
/// admin_tokens:
///   - { id: ops, token: adm-1 }
/// reviewer_tokens:
///   - { id: alice, token: rev-1 }
/// ```
extension ServerConfiguration {
    static let fileSections = ["server", "model", "taxonomy", "policies", "audit", "backend", "batching", "api_keys", "admin_tokens", "reviewer_tokens"]

    mutating func apply(file: URL) throws {
        let name = file.relativePath
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ServerConfigurationError(source: name, message: "cannot be read (\(error.localizedDescription)); check --config or WARDEN_CONFIG")
        }
        let root = try ConfigNode.parse(text, file: name).mapping(allowed: Self.fileSections)
        for (section, node) in root.entries {
            switch section {
            case "api_keys": clientKeys = try Self.clientKeys(node)
            case "admin_tokens": adminTokens = try Self.adminTokens(node)
            case "reviewer_tokens": reviewerTokens = try Self.adminTokens(node)
            default: try apply(section: section, node)
            }
        }
    }

    private mutating func apply(section: String, _ node: ConfigNode) throws {
        let settings = Setting.all.filter { $0.section == section }
        if settings.isEmpty, let topLevel = Setting.all.first(where: { $0.section.isEmpty && $0.key == section }) {
            try topLevel.apply(&self, try node.string(), "\(node.file): \(node.keyPath)")
            return
        }
        let mapping = try node.mapping(allowed: settings.map(\.key))
        for (key, value) in mapping.entries {
            guard let setting = settings.first(where: { $0.key == key }) else { continue }
            try setting.apply(&self, try value.string(), "\(value.file): \(value.keyPath)")
        }
    }

    private static func clientKeys(_ node: ConfigNode) throws -> [ClientKey] {
        try node.sequence().map { element in
            let entry = try element.mapping(allowed: ["id", "key", "default_policy", "allowed_policies"], required: ["id", "key"])
            return ClientKey(
                id: try entry.required("id").string(), key: try entry.required("key").string(),
                defaultPolicy: try entry["default_policy"]?.string(),
                allowedPolicies: try entry["allowed_policies"]?.strings() ?? [])
        }
    }

    private static func adminTokens(_ node: ConfigNode) throws -> [AdminToken] {
        try node.sequence().map { element in
            let entry = try element.mapping(allowed: ["id", "token"], required: ["id", "token"])
            return AdminToken(id: try entry.required("id").string(), token: try entry.required("token").string())
        }
    }
}
