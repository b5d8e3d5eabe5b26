import WardenCore

/// Two models scored on the same items, compared metric by metric with paired bootstrap intervals of
/// the difference (candidate − baseline). `warden eval --compare-model` writes it.
///
/// Two separate 95% intervals that overlap do not mean "no difference", and ones that do not
/// overlap understate it; the paired interval answers the question asked: is the candidate better
/// on these items, beyond what resampling the items explains.
public struct PairedComparison: Codable, Sendable {
    public struct Row: Codable, Sendable, Hashable {
        public var label: String
        /// `AUPRC`, `recall at FPR` (at ``EvaluationOptions/falsePositiveRateTarget``), and for `unsafe`
        /// `recall at threshold` and `realistic benign FPR` (each model at its own threshold; lower FPR is better).
        public var metric: String
        public var positives: Int
        public var negatives: Int
        public var baseline: Double?
        public var candidate: Double?
        /// candidate − baseline, with its paired interval.
        public var difference: Estimate?
        /// Whether a larger value is better for this metric.
        public var higherIsBetter: Bool

        /// `candidate`, `baseline`, or `no detectable difference` (the interval contains 0).
        public var verdict: String {
            guard let difference, let interval = difference.interval else { return "–" }
            if interval.lower > 0 { return higherIsBetter ? "candidate" : "baseline" }
            if interval.upper < 0 { return higherIsBetter ? "baseline" : "candidate" }
            return "no detectable difference"
        }
    }

    public var baselineName: String
    public var candidateName: String
    public var options: EvaluationOptions
    public var rows: [Row]

    /// Compares `candidate` against `baseline` scores of the same `examples` (same order).
    /// - Throws: ``EvaluationError`` when the score lists do not fit the examples or a threshold is missing.
    public init(
        examples: [LabelledExample],
        baseline: (name: String, scores: [LabelScores], thresholds: [String: Double]),
        candidate: (name: String, scores: [LabelScores], thresholds: [String: Double]),
        categoryMapping: CategoryMapping,
        options: EvaluationOptions = EvaluationOptions()
    ) throws(EvaluationError) {
        for scores in [baseline.scores, candidate.scores] where scores.count != examples.count {
            throw .scoreCountMismatch(examples: examples.count, scores: scores.count)
        }
        let base = LabelScorer(examples: examples, scores: baseline.scores, thresholds: baseline.thresholds, options: options)
        let cand = LabelScorer(examples: examples, scores: candidate.scores, thresholds: candidate.thresholds, options: options)
        let target = options.falsePositiveRateTarget
        var rows: [Row] = []

        func compare(label: String, truth: (LabelledExample) -> Bool?) throws(EvaluationError) {
            let a = try cand.sample(label: label, truth: truth).sample
            let b = try base.sample(label: label, truth: truth).sample
            func statistics(_ s: BinarySample) -> [Double?] {
                [s.averagePrecision, s.recall(atFalsePositiveRate: target)?.counts.recall]
            }
            let intervals = Bootstrap.pairedDifferenceIntervals(count: 2, a: a, b: b, options: options.bootstrap, statistics: statistics)
            let (ca, ba) = (statistics(a), statistics(b))
            for (index, metric) in ["AUPRC", "recall at FPR \(target)"].enumerated() {
                let difference = ca[index].flatMap { c in ba[index].map { Estimate(value: c - $0, interval: intervals[index]) } }
                rows.append(Row(label: label, metric: metric, positives: a.positives, negatives: a.negatives,
                                baseline: ba[index], candidate: ca[index], difference: difference, higherIsBetter: true))
            }
        }

        let unsafe = LabelScores.unsafeLabel
        try compare(label: unsafe) { $0.unsafe }
        rows.append(try Self.ownThresholdRow(
            metric: "recall at threshold", include: { _ in true }, base: base, cand: cand, options: options,
            higherIsBetter: true) { $0.recall })
        let wanted = Set(options.realisticBenignSources)
        rows.append(try Self.ownThresholdRow(
            metric: "realistic benign FPR", include: { !examples[$0].unsafe && wanted.contains(examples[$0].source) },
            base: base, cand: cand, options: options, higherIsBetter: false) { $0.falsePositiveRate })
        for label in categoryMapping.labels where label != unsafe {
            let codes = Set(categoryMapping.codes(for: label))
            try compare(label: label) {
                EvaluationReport.categoryTruth(of: $0, codes: codes, mapping: categoryMapping, negatives: options.categoryNegatives)
            }
        }
        self.baselineName = baseline.name
        self.candidateName = candidate.name
        self.options = options
        self.rows = rows
    }

    /// An `unsafe` statistic of the confusion counts with each model at its own threshold (the operating
    /// point a deployment gets), over the items `include` admits: recall on all items, or the false-positive
    /// rate on the realistic benign ones.
    private static func ownThresholdRow(
        metric: String, include: (Int) -> Bool, base: LabelScorer, cand: LabelScorer, options: EvaluationOptions,
        higherIsBetter: Bool, statistic: (ConfusionCounts) -> Double?
    ) throws(EvaluationError) -> Row {
        let label = LabelScores.unsafeLabel
        let a = try cand.sample(label: label, include: include, truth: { $0.unsafe }).sample
        let b = try base.sample(label: label, include: include, truth: { $0.unsafe }).sample
        let (ta, tb) = (try cand.threshold(label), try base.threshold(label))
        let interval = Bootstrap.pairedDifferenceIntervals(
            count: 1, a: a, b: b, options: options.bootstrap,
            statisticsOfA: { [statistic($0.confusion(at: ta))] }, statisticsOfB: { [statistic($0.confusion(at: tb))] })[0]
        let (sa, sb) = (statistic(a.confusion(at: ta)), statistic(b.confusion(at: tb)))
        let difference = sa.flatMap { x in sb.map { Estimate(value: x - $0, interval: interval) } }
        return Row(label: label, metric: metric, positives: a.positives, negatives: a.negatives,
                   baseline: sb, candidate: sa, difference: difference, higherIsBetter: higherIsBetter)
    }

    /// A Markdown table, one row per label and metric.
    public var markdown: String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "–" }
        var lines = [
            "## \(candidateName) (candidate) vs \(baselineName) (baseline): paired bootstrap",
            "",
            "Δ = candidate − baseline; \(Int(options.bootstrap.confidence * 100))% interval from \(options.bootstrap.resamples) "
                + "paired resamples of the items (both models scored on the same resample).",
            "",
            "| label | metric | positives | baseline | candidate | Δ [interval] | better |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for row in rows {
            let delta = row.difference.map { d in
                String(format: "%+.3f", d.value) + (d.interval.map { String(format: " [%+.3f, %+.3f]", $0.lower, $0.upper) } ?? "")
            } ?? "–"
            lines.append("| \(row.label) | \(row.metric) | \(row.positives) | \(number(row.baseline)) | \(number(row.candidate)) | \(delta) | \(row.verdict) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
