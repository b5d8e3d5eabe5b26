import Foundation
import Logging
import Metrics
import WardenCore
import WardenPolicy
import WardenTaxonomy

/// The filter stage: screens a turn with the policy, scores it with the classifier (and the
/// policy's custom categories), decides, records the audit event and counts metrics.
///
/// Order of a check:
/// 1. The policy's limits (over them: ``GuardError/inputOverLimits(_:policyID:)``), then its deny
///    and allow lists (``PolicyEngine/screen(_:tokenCount:)``); a match decides without the model.
/// 2. The classifier, bounded by ``classifierDeadline``; with a ``customScorer``, the policy's custom
///    categories are scored too and merged into the label scores as `custom:<id>`.
/// 3. ``PolicyEngine/decide(_:for:)``; when step 2 failed, ``PolicyEngine/failure(_:for:)`` (the
///    policy's `on_error`: block fails closed, allow fails open; the reason says which).
/// 4. The audit event, per the policy's `audit` settings. When the store throws, a fail-closed
///    policy refuses the request (``GuardError/auditUnavailable(reason:policyID:)``) and a
///    fail-open one serves it (the store is responsible for queueing and retrying).
public struct Guard: Sendable {
    public let classifier: any SafetyClassifier
    public let policies: PolicyStore
    public let customScorer: CustomCategoryScorer?
    public let auditStore: (any AuditStore)?
    /// The longest a classifier (and custom-category) call may take, by the length of its text; `nil` waits forever.
    public let classifierDeadline: ClassifierDeadline?
    /// The deadline of an ordinary request (``ClassifierDeadline/base``).
    public var classifierTimeout: Duration? { classifierDeadline?.base }
    public let classifierFailureReporting: ClassifierFailureReporting
    public let logger: Logger
    let metrics: GuardMetrics

    /// - Parameters:
    ///   - classifier: scores conversations; called once per batch.
    ///   - policies: the loaded policies (call ``PolicyStore/reload()`` before the first check).
    ///   - customScorer: scores the policies' custom categories; without one, custom categories
    ///     are not scored and cannot fire.
    ///   - auditStore: where events go; without one nothing is recorded and ``GuardResult/auditID`` is `nil`.
    ///   - classifierTimeout: after this long the check uses the policy's failure verdict.
    ///   - classifierTimeoutPerKiB: added to `classifierTimeout` per KiB of text beyond the first 4 KiB (see
    ///     ``ClassifierDeadline``).
    ///   - classifierFailure: how a failure under a fail-closed policy is reported.
    ///   - metricsFactory: where counters and timers go; `nil` uses the bootstrapped `MetricsSystem`.
    public init(
        classifier: any SafetyClassifier, policies: PolicyStore, customScorer: CustomCategoryScorer? = nil,
        auditStore: (any AuditStore)? = nil, classifierTimeout: Duration? = .seconds(5), classifierTimeoutPerKiB: Duration = .zero,
        classifierFailure: ClassifierFailureReporting = .verdict,
        logger: Logger = Logger(label: "warden.guard"), metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.classifier = classifier
        self.policies = policies
        self.customScorer = customScorer
        self.auditStore = auditStore
        self.classifierDeadline = classifierTimeout.map { ClassifierDeadline(base: $0, perKiB: classifierTimeoutPerKiB) }
        self.classifierFailureReporting = classifierFailure
        self.logger = logger
        self.metrics = GuardMetrics(explicitFactory: metricsFactory)
    }

    /// The taxonomy the policies are written against.
    public var taxonomy: HazardTaxonomy { policies.taxonomy }

    /// Checks one turn.
    /// - Parameters:
    ///   - conversation: the messages; `direction` picks the judged turn (last user or assistant turn).
    ///   - policyID: the ID of a loaded policy.
    ///   - caller: the API key id of the caller, for the audit log.
    /// - Returns: the verdict, the scores behind it and the audit event's ID.
    /// - Throws: ``GuardError``.
    public func check(
        _ conversation: Conversation, direction: Direction, policyID: String, caller: String? = nil
    ) async throws(GuardError) -> GuardResult {
        let request = GuardRequest(conversation: conversation, direction: direction, policyID: policyID, caller: caller)
        let results = await evaluate([request], recordAudit: true)
        return try results[0].get()
    }

    /// Checks several turns with one classifier call (one forward pass), for example the items of an
    /// OpenAI moderation `input` array. A failing item does not fail the others.
    /// - Returns: one result per request, in order.
    public func check(_ requests: [GuardRequest]) async -> [Result<GuardResult, GuardError>] {
        await evaluate(requests, recordAudit: true)
    }
}
