import Foundation
import WardenCore
import WardenPolicy

/// Why a check could not produce a verdict to act on. Messages tell the operator what to fix.
public enum GuardError: Error, Sendable, Hashable, LocalizedError, CustomStringConvertible {
    /// No policy with this ID is loaded.
    case policyNotFound(String, known: [String])
    /// The input breaks one of the policy's `limits` (the server answers 413).
    case inputOverLimits(LimitExceeded, policyID: String)
    /// The classifier failed or timed out and the policy fails closed (`on_error: block`); only
    /// thrown when the guard is configured with ``ClassifierFailureReporting/error``.
    case classifierFailed(reason: String, policyID: String)
    /// The classifier refused the input for lack of capacity (``CapacityRefusal``) and the policy fails closed:
    /// retry later (the server answers 503 `overloaded` with `Retry-After`).
    case classifierOverloaded(reason: String, policyID: String)
    /// The request needs more model windows than the service lets one request use (the server answers 413).
    case requestTooLarge(windows: Int, limit: Int, policyID: String)
    /// The audit store refused the event and the policy fails closed, so the request is refused.
    case auditUnavailable(reason: String, policyID: String)

    public var description: String {
        switch self {
        case .policyNotFound(let id, let known):
            "no policy '\(id)' is loaded (known: \(known.isEmpty ? "none" : known.joined(separator: ", "))); "
                + "pass one of the known IDs or add Policies/\(id).yaml"
        case .inputOverLimits(let exceeded, let policyID):
            "\(exceeded) of policy '\(policyID)'; shorten the input or raise the limit in the policy file"
        case .classifierFailed(let reason, let policyID):
            "the classifier failed (\(reason)) and policy '\(policyID)' fails closed (on_error: block); "
                + "the request was refused"
        case .classifierOverloaded(let reason, let policyID):
            "the classifier is at capacity (\(reason)) and policy '\(policyID)' fails closed (on_error: block); "
                + "retry later"
        case .requestTooLarge(let windows, let limit, _):
            ClassifierError.tooLarge(windows: windows, limit: limit).description
        case .auditUnavailable(let reason, let policyID):
            "the audit log could not record the check (\(reason)) and policy '\(policyID)' fails closed "
                + "(on_error: block); the request was refused. Check the audit database"
        }
    }

    public var errorDescription: String? { description }
}

/// How a classifier failure under a fail-closed policy is reported by ``Guard``.
public enum ClassifierFailureReporting: Sendable, Hashable {
    /// As the policy's failure verdict (`block`, reason marked "fails closed"): the moderation
    /// answer says flagged, a guarded generation refuses.
    case verdict
    /// As ``GuardError/classifierFailed(reason:policyID:)``, for services that prefer a 503.
    /// Fail-open policies still get their `allow` verdict.
    case error
}
