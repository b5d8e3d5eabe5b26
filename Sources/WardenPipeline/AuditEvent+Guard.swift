import Foundation
import WardenCore
import WardenPolicy

extension AuditEvent {
    /// The event of one check, keeping the text as the policy's `audit.store_text` says.
    init(checking request: GuardRequest, result: GuardResult, policy: Policy, modelID: String) {
        let scores = result.verdict.scores.isEmpty ? result.scores.values : result.verdict.scores
        self.init(
            direction: request.direction,
            messages: policy.audit.storeText.stored(request.conversation.messages),
            scores: scores, decision: result.verdict.decision, violations: result.verdict.violations,
            reason: result.verdict.reason, policyID: policy.id, policyHash: policy.contentHash,
            modelID: modelID, latencyMilliseconds: result.latency / .milliseconds(1), caller: request.caller,
            source: result.source
        )
    }
}
