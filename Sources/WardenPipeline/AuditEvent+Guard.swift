import Crypto
import Foundation
import WardenCore
import WardenPolicy

extension AuditEvent {
    /// The event of one check, keeping the text as the policy's `audit.store_text` says.
    init(checking request: GuardRequest, result: GuardResult, policy: Policy, modelID: String) {
        let scores = result.verdict.scores.isEmpty ? result.scores.values : result.verdict.scores
        self.init(
            direction: request.direction,
            messages: Self.messages(of: request.conversation, storing: policy.audit.storeText),
            scores: scores, decision: result.verdict.decision, violations: result.verdict.violations,
            reason: result.verdict.reason, policyID: policy.id, policyHash: policy.contentHash,
            modelID: modelID, latencyMilliseconds: result.latency / .milliseconds(1), caller: request.caller
        )
    }

    /// The messages as the audit log keeps them: the text, a SHA-256 (hex) of its UTF-8 bytes, or
    /// only the role.
    static func messages(of conversation: Conversation, storing storage: TextStorage) -> [AuditMessage] {
        conversation.messages.map { message in
            switch storage {
            case .full: AuditMessage(role: message.role, content: message.content, contentHash: nil)
            case .hash: AuditMessage(role: message.role, content: nil, contentHash: sha256Hex(message.content))
            case .none: AuditMessage(role: message.role, content: nil, contentHash: nil)
            }
        }
    }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
