import Foundation
import WardenCore
import WardenPipeline
import WardenTaxonomy

/// `POST /v1/guard/check`: a conversation, the side to judge, and optionally a policy.
struct GuardCheckRequest: Decodable {
    var messages: [ChatMessageDTO]
    var direction: Direction?
    var policy: String?
}

/// `{decision, safe, categories, scores, violations, llama_guard, reason, policy, audit_id}`.
struct GuardCheckResponse: Encodable {
    var decision: Decision
    var safe: Bool
    var direction: Direction
    /// Hazard IDs that fired.
    var categories: [String]
    var scores: [String: Double]
    var violations: [Violation]
    /// Llama Guard's text: `safe`, or `unsafe` and a line of codes.
    var llamaGuard: String
    var reason: String
    var policy: String
    var source: String
    var auditID: String?

    init(_ result: GuardResult) {
        let verdict = result.verdict
        decision = verdict.decision
        safe = verdict.isSafe
        direction = verdict.direction
        categories = Array(Set(verdict.violations.map(\.category.rawValue))).sorted()
        scores = verdict.scores
        violations = verdict.violations
        llamaGuard = verdict.llamaGuardText
        reason = verdict.reason
        policy = verdict.policyID
        source = result.source.rawValue
        auditID = result.auditID?.uuidString
    }

    enum CodingKeys: String, CodingKey {
        case decision, safe, direction, categories, scores, violations, reason, policy, source
        case llamaGuard = "llama_guard"
        case auditID = "audit_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decision, forKey: .decision)
        try container.encode(safe, forKey: .safe)
        try container.encode(direction, forKey: .direction)
        try container.encode(categories, forKey: .categories)
        try container.encode(scores, forKey: .scores)
        try container.encode(violations, forKey: .violations)
        try container.encode(llamaGuard, forKey: .llamaGuard)
        try container.encode(reason, forKey: .reason)
        try container.encode(policy, forKey: .policy)
        try container.encode(source, forKey: .source)
        try container.encode(auditID, forKey: .auditID)
    }
}

/// A chat message; `content` is a string or an array of `{"type": "text", "text": ...}` parts.
struct ChatMessageDTO: Decodable {
    var role: Role
    var content: String

    private enum CodingKeys: String, CodingKey { case role, content }

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        if try container.decodeNil(forKey: .content) {
            content = ""
            return
        }
        do {
            content = try container.decode(String.self, forKey: .content)
        } catch DecodingError.typeMismatch {
            // Not a string (a string that is not valid text, such as a lone surrogate, fails with its own error above).
            guard let parts = try? container.decode([Part].self, forKey: .content) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [CodingKeys.content],
                    debugDescription: "expected a string or an array of {\"type\": \"text\", \"text\": ...} parts"))
            }
            content = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined(separator: "\n")
        }
    }

    var message: Message { Message(role: role, content: content) }
}
