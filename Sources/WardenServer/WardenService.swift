import Foundation
import Hummingbird
import Logging
import WardenAudit
import WardenCore
import WardenPipeline
import WardenPolicy
import WardenTaxonomy

/// What the routes share: the guard and its batcher, the policies, the audit log, the optional
/// generator, authentication and metrics. Route handlers are in `WardenService+*.swift`.
struct WardenService: Sendable {
    let configuration: ServerConfiguration
    let `guard`: Guard
    let batcher: BatchingClassifier
    let policies: PolicyStore
    let generator: GuardedGenerator?
    /// The model the backend answers with when a request names none (for chunk `model` fields).
    let backendModel: String
    let auditStore: any AuditLogStore
    let auditWriter: AuditWriter
    let authenticator: Authenticator
    let metrics: ServerMetrics
    let logger: Logger

    var taxonomy: HazardTaxonomy { policies.taxonomy }

    // MARK: - Policy per request

    /// The policy a request runs under: the one it names, else its key's default, else the server's.
    ///
    /// - Throws: 404 for a policy that is not loaded; 403 when the caller's key does not allow it.
    func policyID(for caller: Caller, requested: String?) throws(APIError) -> String {
        var fallback = configuration.defaultPolicy
        if case .client(let key) = caller, let keyDefault = key.defaultPolicy { fallback = keyDefault }
        let id = requested?.trimmingCharacters(in: .whitespaces).nonEmpty ?? fallback
        guard policies.engine(id: id) != nil else {
            let known = policies.ids
            throw .notFound(
                "no policy '\(id)' is loaded (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))",
                code: "policy_not_found")
        }
        if case .client(let key) = caller, id != fallback, !key.allowedPolicies.contains("*"), !key.allowedPolicies.contains(id) {
            let allowed = ([fallback] + key.allowedPolicies).joined(separator: ", ")
            throw APIError(
                .forbidden, type: "permission_error", code: "policy_not_allowed",
                message: "API key '\(key.id)' may not use policy '\(id)' (allowed: \(allowed))")
        }
        return id
    }

    // MARK: - Admission

    /// Refuses work up front while the classifier queue is full, so overload answers 503 quickly
    /// instead of piling up behind the model.
    func admit(inputs: Int) throws(APIError) {
        if batcher.isSaturated(adding: inputs) {
            metrics.overloadRejected()
            throw .overloaded(retryAfter: configuration.retryAfterSeconds, detail: "the classifier queue is full")
        }
    }

    /// A 422 unless at least one text has something besides whitespace in it; every text must.
    static func requireText(_ texts: [String], field: String) throws(APIError) {
        guard !texts.isEmpty else { throw .unprocessable("\(field) is empty; send at least one non-empty text") }
        for (index, text) in texts.enumerated() where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let location = texts.count == 1 ? field : "\(field)[\(index)]"
            throw .unprocessable("\(location) is empty; send non-empty text")
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
