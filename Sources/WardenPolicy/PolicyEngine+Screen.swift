import WardenCore
import WardenTaxonomy

extension PolicyEngine {
    /// Checks that run before the model: size limits, then the deny list, then the allow list.
    ///
    /// - Parameters:
    ///   - input: the conversation and the direction being judged.
    ///   - tokenCount: the tokenized length, when the caller has it; needed for `max_input_tokens`.
    /// - Returns: a verdict when the policy decides without the model, `nil` to ask the model.
    public func screen(_ input: ClassificationInput, tokenCount: Int? = nil) -> Verdict? {
        if let exceeded = limitExceeded(input, tokenCount: tokenCount) {
            return Verdict(
                decision: .block, direction: input.direction, violations: [],
                reason: "block: \(exceeded)", scores: [:], policyID: policy.id
            )
        }
        let text = TextNormalizer.normalize(input.judgedText)

        let denied = policy.denyList.filter { $0.pattern.occurs(in: text) }
        if !denied.isEmpty {
            let violations = denied.map { entry in
                let category = entry.category ?? HazardID("deny_list")
                return Violation(
                    category: category, code: taxonomy.code(for: category), score: 1, threshold: 1,
                    decision: .block, rule: entry.location
                )
            }
            let reasons = denied.map { "\($0.location) (\($0.reason))" }.joined(separator: ", ")
            return Verdict(
                decision: .block, direction: input.direction, violations: violations,
                reason: "block: matches \(reasons)", scores: [:], policyID: policy.id
            )
        }
        if let allowed = policy.allowList.first(where: { $0.pattern.coversWhole(text) }) {
            return Verdict(
                decision: .allow, direction: input.direction, violations: [],
                reason: "allow: matches \(allowed.location) (\(allowed.reason))", scores: [:], policyID: policy.id
            )
        }
        return nil
    }

    /// A size limit the input breaks, as a one-line explanation; `nil` when within limits.
    ///
    /// Limits apply to input checks only: an output check must always be able to judge what the
    /// backend produced, however long.
    public func limitExceeded(_ input: ClassificationInput, tokenCount: Int? = nil) -> LimitExceeded? {
        guard input.direction == .input else { return nil }
        let characters = input.conversation.characterCount
        if characters > policy.limits.maxInputCharacters {
            return LimitExceeded(key: "limits.max_input_chars", limit: policy.limits.maxInputCharacters, actual: characters, unit: "characters")
        }
        if let maxTokens = policy.limits.maxInputTokens, let tokenCount, tokenCount > maxTokens {
            return LimitExceeded(key: "limits.max_input_tokens", limit: maxTokens, actual: tokenCount, unit: "tokens")
        }
        return nil
    }
}

/// A broken size limit; the server answers it with 413.
public struct LimitExceeded: Sendable, Hashable, CustomStringConvertible {
    /// The policy key, such as `limits.max_input_chars`.
    public var key: String
    public var limit: Int
    public var actual: Int
    public var unit: String

    public var description: String { "the input has \(actual) \(unit), over the policy limit of \(limit) (\(key))" }
}

extension TextPattern {
    /// Deny semantics: the phrase occurs at word boundaries, or the regex matches somewhere.
    func occurs(in normalizedText: String) -> Bool {
        switch self {
        case .phrase(let phrase): TextNormalizer.containsPhrase(normalizedText, TextNormalizer.normalize(phrase))
        case .regex(let regex): regex.matches(in: normalizedText)
        }
    }

    /// Allow semantics: the phrase or regex covers the whole turn. A substring would let anyone
    /// skip the model by pasting an allowed phrase next to a harmful request.
    func coversWhole(_ normalizedText: String) -> Bool {
        switch self {
        case .phrase(let phrase):
            TextNormalizer.trimmingClosingPunctuation(normalizedText)
                == TextNormalizer.trimmingClosingPunctuation(TextNormalizer.normalize(phrase))
        case .regex(let regex): regex.matchesWhole(normalizedText)
        }
    }
}
