import WardenCore
import WardenTaxonomy

/// Applies a policy to scores: pure, synchronous, no I/O, so it can be table-tested and shared freely.
///
/// The pipeline calls ``screen(_:tokenCount:)`` first (limits and deny/allow lists); when it returns
/// `nil` the model runs, and ``decide(_:for:)`` turns its label scores into a ``Verdict``. When the
/// model fails, ``failure(_:for:)`` applies the policy's `on_error`.
public struct PolicyEngine: Sendable {
    public let policy: Policy
    public let taxonomy: HazardTaxonomy
    /// The model's operating threshold per model label (its bundle's `thresholds`), for `threshold: model` rules.
    public let modelThresholds: [String: Double]

    public init(policy: Policy, taxonomy: HazardTaxonomy, modelThresholds: [String: Double] = [:]) {
        self.policy = policy
        self.taxonomy = taxonomy
        self.modelThresholds = modelThresholds
    }

    /// The score at which `rule` fires for `category`: its number, or with `threshold: model` the model's threshold
    /// of the category (the lowest of its model labels', since a hazard's score is the highest of theirs; `unsafe`
    /// is its own label), falling back to the number where the model has none.
    public func threshold(of rule: PolicyRule, for category: HazardID) -> Double {
        guard rule.usesModelThreshold else { return rule.threshold }
        let labels = category.rawValue == HazardTaxonomy.unsafeName ? [LabelScores.unsafeLabel] : taxonomy.modelLabels(for: category)
        return labels.compactMap { modelThresholds[$0] }.min() ?? rule.threshold
    }

    /// Custom categories the pipeline must score (with ``CustomCategoryScorer``) and merge into the
    /// label scores under their ``CustomCategory/label`` before calling ``decide(_:for:)``.
    public var customCategories: [CustomCategory] { policy.customCategories }

    /// Model label scores -> hazard scores (via the taxonomy) -> rules -> verdict.
    public func decide(_ scores: LabelScores, for input: ClassificationInput) -> Verdict {
        let traces = explain(scores, direction: input.direction)
        // A code names a category that passed its own threshold; the overall label is not a category and never
        // borrows one (a 0.03 score would otherwise label the verdict, the audit stats and their filters).
        var violations = traces.compactMap { trace -> Violation? in
            guard let rule = trace.firedRule, trace.decision != .allow else { return nil }
            return Violation(
                category: trace.category, code: taxonomy.code(for: trace.category), score: trace.score,
                threshold: threshold(of: rule, for: trace.category), decision: trace.decision, rule: rule.location
            )
        }
        violations.sort { lhs, rhs in
            if lhs.decision != rhs.decision { return lhs.decision > rhs.decision }
            if lhs.score != rhs.score { return lhs.score > rhs.score }
            return lhs.category < rhs.category
        }
        let decision = violations.map(\.decision).max() ?? .allow
        return Verdict(
            decision: decision, direction: input.direction, violations: violations,
            reason: reason(decision: decision, violations: violations, traces: traces),
            scores: verdictScores(traces), policyID: policy.id
        )
    }

    /// The verdict when the classifier failed or timed out: the policy's `on_error` decision.
    public func failure(_ error: any Error, for input: ClassificationInput) -> Verdict {
        let mode = policy.onError == .allow ? "fails open" : "fails closed"
        return Verdict(
            decision: policy.onError, direction: input.direction, violations: [],
            reason: "\(policy.onError.rawValue): the classifier failed (\(error)); on_error: \(policy.onError.rawValue) \(mode)",
            scores: [:], policyID: policy.id
        )
    }

    // MARK: - Explanation

    /// How one category was judged: its score, the rule that governs it and whether it fired.
    public struct CategoryTrace: Sendable, Hashable {
        public var category: HazardID
        public var score: Double
        /// The rules tried, in order: the direction's rules that name the category, or else the
        /// fallback (`defaults` for hazards, the category's own settings for custom categories).
        public var rules: [PolicyRule]
        /// The first rule whose threshold the score reached, if any.
        public var firedRule: PolicyRule?
        /// The fired rule's decision, or `.allow` when none fired.
        public var decision: Decision
    }

    /// A trace for every scored category (taxonomy hazards, `unsafe`, and the direction's custom
    /// categories), in taxonomy order. Categories with no score are absent: they cannot fire.
    public func explain(_ scores: LabelScores, direction: Direction) -> [CategoryTrace] {
        let rules = policy.rules(for: direction)
        let hazardScores = taxonomy.hazardScores(from: scores)
        var traces: [CategoryTrace] = []

        func judge(_ category: HazardID, score: Double, fallback: PolicyRule?) {
            let candidates = rules.filter { $0.categories.contains(category) }
            let governing = candidates.isEmpty ? fallback.map { [$0] } ?? [] : candidates
            // First match wins: the first rule (in file order) whose threshold the score reaches.
            let fired = governing.first { score >= threshold(of: $0, for: category) }
            traces.append(CategoryTrace(
                category: category, score: score, rules: governing, firedRule: fired,
                decision: fired?.decision ?? .allow
            ))
        }

        let defaults = PolicyRule(
            categories: [], selector: ["defaults"], threshold: policy.defaults.threshold,
            usesModelThreshold: policy.defaults.usesModelThreshold, decision: policy.defaults.decision, location: "defaults"
        )
        for category in taxonomy.categories {
            guard let score = hazardScores[category.id] else { continue }
            judge(category.id, score: score, fallback: defaults)
        }
        // The overall label takes part only through explicit `category: unsafe` rules (no defaults).
        if let unsafe = scores[LabelScores.unsafeLabel] {
            judge(HazardID(HazardTaxonomy.unsafeName), score: unsafe, fallback: nil)
        }
        for (index, custom) in policy.customCategories.enumerated() where custom.directions.contains(direction) {
            guard let score = scores[custom.label] else { continue }
            let own = PolicyRule(
                categories: [custom.hazardID], selector: [custom.label], threshold: custom.threshold,
                decision: custom.decision, location: "custom_categories[\(index)]"
            )
            judge(custom.hazardID, score: score, fallback: own)
        }
        return traces
    }

    // MARK: - Verdict parts

    private func verdictScores(_ traces: [CategoryTrace]) -> [String: Double] {
        Dictionary(traces.map { ($0.category.rawValue, $0.score) }, uniquingKeysWith: { max($0, $1) })
    }

    private func reason(decision: Decision, violations: [Violation], traces: [CategoryTrace]) -> String {
        guard !violations.isEmpty else {
            let highest = traces.filter { $0.firedRule == nil }.max { $0.score < $1.score }
            let allowedByRule = traces.compactMap { trace in
                trace.firedRule.map { "\(describe(trace.category)) allowed by \($0.location)" }
            }
            var parts = ["allow: no blocking or review rule fired"]
            if !allowedByRule.isEmpty { parts.append(allowedByRule.joined(separator: ", ")) }
            if let highest { parts.append("highest other score \(describe(highest.category)) \(format(highest.score))") }
            return parts.joined(separator: "; ")
        }
        let shown = violations.prefix(3).map { violation in
            "\(describe(violation.category)) \(format(violation.score)) >= \(format(violation.threshold)) (\(violation.rule) \(violation.decision.rawValue))"
        }
        let more = violations.count > 3 ? " and \(violations.count - 3) more" : ""
        return "\(decision.rawValue): " + shown.joined(separator: ", ") + more
    }

    func describe(_ category: HazardID) -> String {
        taxonomy.code(for: category).map { "\(category) (\($0))" } ?? category.rawValue
    }

    func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return String(rounded)
    }
}
