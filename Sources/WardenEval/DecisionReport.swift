import WardenCore

/// How a policy's decisions, as deployed (policy thresholds, lists, custom categories, `on_error`), agree with the
/// `unsafe` truth: the deployment, not the classifier. "Flagged" is review or block; "blocked" is block alone.
public struct DecisionReport: Codable, Sendable, Hashable {
    public var policy: String
    public var count: Int
    /// Items per decision (`allow`, `review`, `block`), and `error` for checks that ended without a verdict.
    public var decisions: [String: Int]
    public var flagged: DecisionMetrics
    public var blocked: DecisionMetrics
    /// Share of realistic benign items (``EvaluationOptions/realisticBenignSources``) that were flagged.
    public var realisticBenignFlagged: Estimate?

    /// - Parameter decisions: one per example, nil for a check that ended in an error (counted apart, not scored).
    public init(policy: String, examples: [LabelledExample], decisions: [Decision?], options: EvaluationOptions) {
        precondition(examples.count == decisions.count)
        self.policy = policy
        count = examples.count
        var tally: [String: Int] = [:]
        for decision in decisions { tally[decision?.rawValue ?? "error", default: 0] += 1 }
        self.decisions = tally
        let decided = zip(examples, decisions).compactMap { example, decision in decision.map { (example, $0) } }
        let truth = decided.map(\.0.unsafe)
        flagged = DecisionMetrics(truth: truth, predicted: decided.map { $0.1 != .allow }, options: options.bootstrap)
        blocked = DecisionMetrics(truth: truth, predicted: decided.map { $0.1 == .block }, options: options.bootstrap)
        let benign = Set(options.realisticBenignSources)
        let benignFlags = decided.filter { !$0.0.unsafe && benign.contains($0.0.source) }.map { $0.1 != .allow }
        realisticBenignFlagged = benignFlags.isEmpty ? nil : Estimate(
            value: Double(benignFlags.filter { $0 }.count) / Double(benignFlags.count),
            interval: Bootstrap.proportionInterval(benignFlags, options: options.bootstrap))
    }

    public var markdown: String {
        var lines = ["## Deployment: policy `\(policy)`", ""]
        let tally = ["allow", "review", "block", "error"].compactMap { key in decisions[key].map { "\(key) \($0)" } }
        lines.append("\(count) items: " + tally.joined(separator: ", ") + ". Flagged means review or block.")
        lines.append("")
        lines.append("| decision | precision | recall | F1 | FPR |")
        lines.append("|---|---|---|---|---|")
        for (name, metrics) in [("flagged", flagged), ("blocked", blocked)] {
            lines.append("| \(name) | " + [metrics.precision, metrics.recall, metrics.f1, metrics.falsePositiveRate]
                .map { ReportFormat.estimate($0) }.joined(separator: " | ") + " |")
        }
        if let realisticBenignFlagged {
            lines.append("")
            lines.append("Realistic benign items flagged: \(ReportFormat.estimate(realisticBenignFlagged)).")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Precision, recall, F1 and FPR of one yes/no decision, with bootstrap intervals over items.
public struct DecisionMetrics: Codable, Sendable, Hashable {
    public var counts: ConfusionCounts
    public var precision: Estimate?
    public var recall: Estimate?
    public var f1: Estimate?
    public var falsePositiveRate: Estimate?

    public init(truth: [Bool], predicted: [Bool], options: BootstrapOptions) {
        func confusion(_ indices: some Sequence<Int>) -> ConfusionCounts {
            var tp = 0, fp = 0, tn = 0, fn = 0
            for index in indices {
                switch (truth[index], predicted[index]) {
                case (true, true): tp += 1
                case (false, true): fp += 1
                case (false, false): tn += 1
                case (true, false): fn += 1
                }
            }
            return ConfusionCounts(truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn)
        }
        counts = confusion(truth.indices)
        let metrics: [(ConfusionCounts) -> Double?] = [\.precision, \.recall, \.f1, \.falsePositiveRate]
        var draws = [[Double]](repeating: [], count: metrics.count)
        if options.resamples > 0, !truth.isEmpty {
            var generator = SplitMix64(seed: options.seed)
            for _ in 0..<options.resamples {
                let resample = confusion((0..<truth.count).map { _ in generator.index(below: truth.count) })
                for (slot, metric) in metrics.enumerated() { if let value = metric(resample) { draws[slot].append(value) } }
            }
        }
        let estimates = metrics.enumerated().map { slot, metric in
            metric(counts).map { Estimate(value: $0, interval: Bootstrap.percentileInterval(draws[slot], confidence: options.confidence)) }
        }
        precision = estimates[0]
        recall = estimates[1]
        f1 = estimates[2]
        falsePositiveRate = estimates[3]
    }
}
