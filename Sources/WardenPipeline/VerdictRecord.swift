import Foundation
import WardenCore

/// The one JSON shape of a verdict, snake_case, wherever it appears: `warden check --format json`, the body of
/// `/v1/guard/check`, the `warden` object of each `/v1/moderations` result and the `warden.input`/`warden.output` of a
/// guarded chat answer. Documented once, in `Docs/service.md` ("The verdict object").
public struct VerdictRecord: Codable, Sendable, Hashable {
    /// The item's id, when the caller gave one (`warden check --jsonl`).
    public var id: String?
    public var decision: Decision
    /// `decision == allow`. `review` and `block` are both unsafe here; `decision` tells them apart.
    public var safe: Bool
    public var direction: Direction
    /// Hazard IDs of the violations, sorted (the overall label appears as `unsafe`).
    public var categories: [String]
    /// Llama Guard codes of the violations that have one, in code order.
    public var llamaGuardCodes: [String]
    /// Llama Guard's text: `safe`, or `unsafe` and (when a category passed its threshold) a line of codes.
    public var llamaGuard: String
    /// Hazard scores by ID (plus `unsafe` and `custom:<id>`), after the taxonomy mapping.
    public var scores: [String: Double]
    public var violations: [Violation]
    public var reason: String
    public var policy: String
    /// `model`, `screen` (a deny or allow list decided) or `classifier_failure` (the policy's `on_error`); null only
    /// for audit events recorded before Warden stored it.
    public var source: VerdictSource?
    /// The model that scored the turn (`id@version`); null when the policy decided without it.
    public var model: String?
    /// The audit event's ID; null when nothing was recorded (or the store could not vouch for the event).
    public var auditID: String?
    /// The classifier's raw label scores, when the caller asked for them (`warden check`).
    public var labelScores: [String: Double]?

    public init(_ result: GuardResult, id: String? = nil, includeLabelScores: Bool = false) {
        self.init(result.verdict, source: result.source, model: result.model, auditID: result.auditID, id: id)
        labelScores = includeLabelScores ? result.scores.values : nil
    }

    /// The verdict an audit event recorded (its `audit_id` is the event's id).
    public init(_ event: AuditEvent) {
        let verdict = Verdict(
            decision: event.decision, direction: event.direction, violations: event.violations, reason: event.reason,
            scores: event.scores, policyID: event.policyID)
        // Events recorded before the source was stored keep the model they name (source null says "unknown").
        let model = event.source == nil || event.source == .model ? event.modelID : nil
        self.init(verdict, source: event.source, model: model, auditID: event.id, id: nil)
    }

    private init(_ verdict: Verdict, source: VerdictSource?, model: String?, auditID: UUID?, id: String?) {
        self.id = id
        decision = verdict.decision
        safe = verdict.isSafe
        direction = verdict.direction
        categories = Array(Set(verdict.violations.map(\.category.rawValue))).sorted()
        llamaGuardCodes = verdict.llamaGuardCodes
        llamaGuard = verdict.llamaGuardText
        scores = verdict.scores
        violations = verdict.violations
        reason = verdict.reason
        policy = verdict.policyID
        self.source = source
        self.model = model
        self.auditID = auditID?.uuidString
        labelScores = nil
    }

    enum CodingKeys: String, CodingKey {
        case id, decision, safe, direction, categories, scores, violations, reason, policy, source, model
        case llamaGuardCodes = "llama_guard_codes", llamaGuard = "llama_guard", auditID = "audit_id", labelScores = "label_scores"
    }

    /// Every key is written (null when absent) except `id` and `label_scores`, which only some surfaces have.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(decision, forKey: .decision)
        try container.encode(safe, forKey: .safe)
        try container.encode(direction, forKey: .direction)
        try container.encode(categories, forKey: .categories)
        try container.encode(llamaGuardCodes, forKey: .llamaGuardCodes)
        try container.encode(llamaGuard, forKey: .llamaGuard)
        try container.encode(scores, forKey: .scores)
        try container.encode(violations, forKey: .violations)
        try container.encode(reason, forKey: .reason)
        try container.encode(policy, forKey: .policy)
        try container.encode(source, forKey: .source)
        try container.encode(model, forKey: .model)
        try container.encode(auditID, forKey: .auditID)
        try container.encodeIfPresent(labelScores, forKey: .labelScores)
    }
}
