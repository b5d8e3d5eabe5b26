import WardenCore

extension ShippedThresholds {
    /// Chooses thresholds from calibrated scores of held-out items.
    /// - Parameters:
    ///   - labels: the model's labels, `unsafe` among them.
    ///   - fixed: labels that keep 0.5 and take no part in the decision (auxiliary labels such as `profanity`).
    public static func choose(
        examples: [LabelledExample], scores: [LabelScores], labels: [String], fixed: Set<String> = [],
        benignSources: [String], split: String, targetRate: Double, categoryRate: Double = 0.005, unsafeFloor: Double = 0.05
    ) throws(EvaluationError) -> ShippedThresholds {
        guard examples.count == scores.count else { throw .scoreCountMismatch(examples: examples.count, scores: scores.count) }
        let wanted = Set(benignSources)
        let benign = examples.indices.filter { !examples[$0].unsafe && wanted.contains(examples[$0].source) }
        guard !benign.isEmpty else { throw .noBenignItems(sources: benignSources) }
        func score(_ label: String, _ index: Int) -> Double { scores[index][label] ?? 0 }

        var thresholds: [String: Double] = [:]
        let categories = labels.filter { $0 != LabelScores.unsafeLabel && !fixed.contains($0) }
        for label in fixed { thresholds[label] = 0.5 }
        for label in categories {
            let own = threshold(flaggingAtMost: categoryRate, of: benign.map { score(label, $0) })
            thresholds[label] = max(0.5, own)
        }
        let flaggedByCategory = benign.filter { index in categories.contains { score($0, index) >= thresholds[$0]! } }
        let budget = Int((targetRate * Double(benign.count)).rounded(.down)) - flaggedByCategory.count
        let rest = Set(benign).subtracting(flaggedByCategory).map { score(LabelScores.unsafeLabel, $0) }
        let unsafeThreshold = budget < 0
            ? (rest.max().map { $0.nextUp } ?? 1)
            : threshold(flaggingAtMost: budget, of: rest)
        thresholds[LabelScores.unsafeLabel] = max(unsafeFloor, unsafeThreshold)

        let flagged = benign.filter { index in
            (categories + [LabelScores.unsafeLabel]).contains { score($0, index) >= thresholds[$0]! }
        }
        return ShippedThresholds(
            targetRate: targetRate, categoryRate: categoryRate, unsafeFloor: unsafeFloor, benignSources: benignSources, split: split,
            benignItems: benign.count, achievedRate: Double(flagged.count) / Double(benign.count), thresholds: thresholds)
    }

    /// The lowest threshold that flags at most `rate` of `values` (a value flags when it is >= the threshold).
    static func threshold(flaggingAtMost rate: Double, of values: [Double]) -> Double {
        threshold(flaggingAtMost: Int((rate * Double(values.count)).rounded(.down)), of: values)
    }

    /// The lowest threshold that flags at most `count` of `values`: just above the (count+1)-th highest value.
    static func threshold(flaggingAtMost count: Int, of values: [Double]) -> Double {
        let sorted = values.sorted(by: >)
        guard count < sorted.count else { return 0 }
        return sorted[max(count, 0)].nextUp
    }
}
