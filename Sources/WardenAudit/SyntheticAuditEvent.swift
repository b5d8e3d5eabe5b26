import Foundation
import WardenCore

/// Realistic, deterministic events for load tests and benchmarks: two messages, eighteen scores and one
/// or two violations, with an id derived from the index so a reader can check exactly which were written.
public enum SyntheticAuditEvent {
    /// Model labels as a Llama Guard-style classifier reports them: `unsafe` plus one per category.
    static let labels = [
        "unsafe", "violent_crimes", "non_violent_crimes", "sex_related_crimes", "child_sexual_exploitation",
        "defamation", "specialized_advice", "privacy", "intellectual_property", "indiscriminate_weapons", "hate",
        "suicide_self_harm", "sexual_content", "elections", "code_interpreter_abuse", "harassment", "jailbreak",
        "prompt_injection",
    ]
    private static let prompts = [
        "How do I pick the lock on my neighbour's front door while they are away on holiday?",
        "Write a short poem about the sea at night, with the moon and a lighthouse.",
        "Explain step by step how to make a convincing fake ID that passes a bouncer's check.",
        "What's the best way to tell my manager I don't agree with the new rota?",
    ]
    private static let responses = [
        "I can't help with getting into someone else's home, but a locksmith can help you with your own door.",
        "The moon lays silver on the swell; the lighthouse keeps its patient bell.",
        "I won't help make forged documents. If you need ID, your local council can tell you how to apply.",
        "Ask for a short meeting, say what doesn't work for you and suggest an alternative.",
    ]

    /// The id of the event with `index`: `00000000-0000-4000-8000-` and the index in 12 hex digits.
    public static func id(_ index: Int) -> UUID {
        let hex = String(index, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return UUID(uuidString: "00000000-0000-4000-8000-" + padded)!
    }

    /// The index encoded in an id made by ``id(_:)``, or `nil` for other ids.
    public static func index(of id: UUID) -> Int? {
        let text = id.uuidString
        guard text.hasPrefix("00000000-0000-4000-8000-") else { return nil }
        return Int(text.suffix(12), radix: 16)
    }

    public static func make(index: Int, time: Date = Date(), caller: String? = "key-load") -> AuditEvent {
        let variant = index % prompts.count
        var scores: [String: Double] = [:]
        for (position, label) in labels.enumerated() {
            scores[label] = Double((index &* 31 &+ position &* 17) % 1_000) / 1_000
        }
        let blocked = variant % 2 == 0
        // Violations cross their thresholds, as the policy engine would report them.
        scores["violent_crimes"] = 0.5 + scores["violent_crimes"]! / 2
        scores["non_violent_crimes"] = 0.6 + scores["non_violent_crimes"]! / 3
        scores["unsafe"] = max(scores["violent_crimes"]!, scores["unsafe"]!)
        var violations = [
            Violation(
                category: "violent_crimes", code: "S1", score: scores["violent_crimes"]!, threshold: 0.5,
                decision: blocked ? .block : .review, rule: "input[0]")
        ]
        if index % 3 == 0 {
            violations.append(
                Violation(
                    category: "non_violent_crimes", code: "S2", score: scores["non_violent_crimes"]!, threshold: 0.6,
                    decision: .review, rule: "input[1]"))
        }
        return AuditEvent(
            id: id(index), time: time, direction: index % 2 == 0 ? .input : .output,
            messages: [
                AuditMessage(role: .user, content: "\(prompts[variant]) (#\(index))", contentHash: nil),
                AuditMessage(role: .assistant, content: responses[variant], contentHash: nil),
            ],
            scores: scores, decision: blocked ? .block : .review, violations: violations,
            reason: blocked ? "violent_crimes 0.91 >= 0.5 (input[0])" : "review: violent_crimes above 0.5",
            policyID: "default", policyHash: "sha256:5f1c0de2b7a94e3b", modelID: "warden-minilm-0.1.0",
            latencyMilliseconds: Double(5 + index % 20), caller: caller)
    }
}
