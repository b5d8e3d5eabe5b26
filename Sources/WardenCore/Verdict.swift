/// What to do with a turn. Ordered so that `max` combines decisions: block beats review beats allow.
public enum Decision: String, Codable, Sendable, CaseIterable, Comparable {
    case allow, review, block

    private var severity: Int {
        switch self {
        case .allow: 0
        case .review: 1
        case .block: 2
        }
    }

    public static func < (lhs: Decision, rhs: Decision) -> Bool { lhs.severity < rhs.severity }
}

/// One category that crossed the threshold of a policy rule.
public struct Violation: Codable, Sendable, Hashable {
    public var category: HazardID
    /// Llama Guard code of the category (`S1`), when the taxonomy has one; never for the overall `unsafe` label,
    /// which is not a category.
    public var code: String?
    public var score: Double
    public var threshold: Double
    public var decision: Decision
    /// Which rule fired, for explanations (for example `input[2]`, `deny_list[0]` or `defaults`).
    public var rule: String

    public init(
        category: HazardID, code: String? = nil, score: Double, threshold: Double,
        decision: Decision, rule: String
    ) {
        self.category = category
        self.code = code
        self.score = score
        self.threshold = threshold
        self.decision = decision
        self.rule = rule
    }
}

/// The policy's judgement of one turn.
public struct Verdict: Codable, Sendable, Hashable {
    public var decision: Decision
    public var direction: Direction
    public var violations: [Violation]
    /// A one-line human-readable reason.
    public var reason: String
    /// Hazard scores in [0, 1] by hazard ID (plus `unsafe`), after the taxonomy mapping.
    public var scores: [String: Double]
    public var policyID: String

    public init(
        decision: Decision, direction: Direction, violations: [Violation], reason: String,
        scores: [String: Double], policyID: String
    ) {
        self.decision = decision
        self.direction = direction
        self.violations = violations
        self.reason = reason
        self.scores = scores
        self.policyID = policyID
    }

    public var isSafe: Bool { decision == .allow }

    /// Llama Guard codes of the violations, in code order, without duplicates (`["S1", "S10"]`).
    public var llamaGuardCodes: [String] {
        let codes = Set(violations.compactMap(\.code))
        return codes.sorted { lhs, rhs in
            let l = Int(lhs.dropFirst()) ?? Int.max
            let r = Int(rhs.dropFirst()) ?? Int.max
            return l == r ? lhs < rhs : l < r
        }
    }

    /// Llama Guard's output format: `safe`, or `unsafe` and a line of codes.
    ///
    /// Categories without a Llama Guard code (jailbreak, custom categories) are listed by ID after the codes. When
    /// only the overall `unsafe` label fired, no category passed its threshold, so the text is `unsafe` alone, with
    /// no second line. `review` and `block` read the same here, as Llama Guard has no such distinction; the
    /// verdict's `decision` (and the service's `Warden-Decision` header) tells them apart.
    public var llamaGuardText: String {
        if decision == .allow { return "safe" }
        var codes = llamaGuardCodes
        // The overall `unsafe` label is the verdict itself, not a category to list.
        let uncoded = Set(violations.filter { $0.code == nil && $0.category.rawValue != "unsafe" }.map(\.category.rawValue)).sorted()
        codes.append(contentsOf: uncoded)
        return codes.isEmpty ? "unsafe" : "unsafe\n" + codes.joined(separator: ",")
    }
}

/// What produced a verdict.
public enum VerdictSource: String, Sendable, Hashable, Codable {
    /// The policy decided before the model ran: a deny or allow list matched.
    case screen
    /// The classifier's scores (and custom-category scores) went through the policy's rules.
    case model
    /// The classifier failed or timed out; the verdict is the policy's `on_error` decision.
    case classifierFailure = "classifier_failure"
}
