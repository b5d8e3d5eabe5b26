import WardenCore

extension PolicyEngine {
    /// One rule's threshold for a category: a mark on the score bar of the review page.
    public struct RuleThreshold: Sendable, Hashable, Codable {
        public var threshold: Double
        public var decision: Decision
        /// Where the rule is (`input[0]`, `defaults`, `custom_categories[1]`).
        public var rule: String
    }

    /// The thresholds that govern each category in `direction`, in the order the engine tries them, keyed like a
    /// verdict's scores (hazard IDs, `unsafe`, custom category IDs). Categories no rule governs are absent.
    ///
    /// Read from ``explain(_:direction:)`` over scores of every label, so the page draws exactly the rules the
    /// engine applies, `threshold: model` resolved.
    public func ruleThresholds(direction: Direction) -> [String: [RuleThreshold]] {
        var labels = Set(taxonomy.categories.flatMap(\.modelLabels))
        labels.insert(LabelScores.unsafeLabel)
        for custom in policy.customCategories { labels.insert(custom.label) }
        let scores = LabelScores(Dictionary(uniqueKeysWithValues: labels.map { ($0, 0.0) }))
        var result: [String: [RuleThreshold]] = [:]
        for trace in explain(scores, direction: direction) where !trace.rules.isEmpty {
            result[trace.category.rawValue] = trace.rules.map { rule in
                RuleThreshold(threshold: threshold(of: rule, for: trace.category), decision: rule.decision, rule: rule.location)
            }
        }
        return result
    }
}
