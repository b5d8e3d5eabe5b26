import Foundation
import WardenCore

/// One check to run: a conversation, the side of it to judge, and the policy to judge it by.
public struct GuardRequest: Sendable, Hashable {
    public var conversation: Conversation
    public var direction: Direction
    public var policyID: String
    /// The API key id of the caller (never the key), recorded in the audit event.
    public var caller: String?

    public init(conversation: Conversation, direction: Direction, policyID: String, caller: String? = nil) {
        self.conversation = conversation
        self.direction = direction
        self.policyID = policyID
        self.caller = caller
    }
}

/// The outcome of one check.
public struct GuardResult: Sendable, Hashable {
    public var verdict: Verdict
    /// The classifier's label scores, with custom-category scores merged in as `custom:<id>`.
    /// Empty when the policy decided without the model or the model failed.
    public var scores: LabelScores
    public var source: VerdictSource
    /// The model that scored the turn (`id@version`); nil when the policy decided without it.
    public var model: String?
    /// The ID of the audit event, when one was recorded.
    public var auditID: UUID?
    /// Wall time of the check, from the request to the verdict (including the audit write).
    public var latency: Duration

    public init(
        verdict: Verdict, scores: LabelScores, source: VerdictSource, model: String? = nil, auditID: UUID?, latency: Duration
    ) {
        self.verdict = verdict
        self.scores = scores
        self.source = source
        self.model = model
        self.auditID = auditID
        self.latency = latency
    }

    public var decision: Decision { verdict.decision }
}
