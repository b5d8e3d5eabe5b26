extension EvaluationReport {
    /// A Markdown rendering with one table per view; intervals are bootstrap percentiles.
    public func markdown(title: String = "Warden evaluation report") -> String {
        var parts = ["# \(title)", summary]
        if !metadata.isEmpty {
            parts.append(
                ReportFormat.table(["key", "value"], metadata.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }))
        }
        parts += [
            "## At the operating threshold", operatingTable,
            "## Ranking and calibration", rankingTable,
            "## Realistic benign false-positive rate", benignSection,
            "## `unsafe` by source", sourceTable,
        ]
        parts += groupSections + errorSection
        parts += [
            "## How the numbers are defined", definitions,
        ]
        return parts.joined(separator: "\n\n") + "\n"
    }

    var target: String { ReportFormat.percent(options.falsePositiveRateTarget) }

    private var summary: String {
        let bootstrap = options.bootstrap
        let intervals =
            bootstrap.resamples > 0
            ? "\(ReportFormat.percent(bootstrap.confidence)) percentile bootstrap intervals from "
                + "\(bootstrap.resamples) \(bootstrap.stratified ? "stratified" : "plain") resamples (seed \(bootstrap.seed))"
            : "no bootstrap intervals"
        return "\(exampleCount) examples; \(intervals)."
    }

    private var operatingTable: String {
        ReportFormat.table(operatingHeader, operatingRows, rightAligned: Set(1...8))
    }

    private var rankingTable: String {
        ReportFormat.table(rankingHeader, rankingRows, rightAligned: Set(1...6))
    }

    // MARK: - Table contents, shared with the HTML report

    var operatingHeader: [String] { ["label", "n", "positives", "excluded", "threshold", "precision", "recall", "F1", "FPR"] }

    var operatingRows: [[String]] {
        labels.map { label in
            [
                label.label, "\(label.count)", "\(label.positives)", "\(label.excluded)",
                ReportFormat.number(label.threshold), ReportFormat.estimate(label.precision.map { Estimate(value: $0, interval: label.precisionInterval) }),
                ReportFormat.estimate(label.recall.map { Estimate(value: $0, interval: label.recallInterval) }),
                ReportFormat.estimate(label.f1),
                ReportFormat.estimate(label.falsePositiveRate),
            ]
        }
    }

    var rankingHeader: [String] {
        ["label", "AUPRC", "ROC-AUC", "ECE", "Brier", "best-F1 threshold (F1)", "recall @ \(target) FPR (threshold)"]
    }

    var rankingRows: [[String]] {
        labels.map { label in
            let best = label.bestF1.map {
                "\(ReportFormat.number($0.threshold)) (\(ReportFormat.number($0.counts.f1)))"
            }
            let recall = label.recallAtFalsePositiveRate.map {
                "\(ReportFormat.estimate($0.recall)) (\(ReportFormat.number($0.threshold)))"
            }
            return [
                label.label, ReportFormat.estimate(label.averagePrecision), ReportFormat.number(label.rocAUC),
                ReportFormat.number(label.expectedCalibrationError), ReportFormat.number(label.brierScore),
                best ?? "–", recall ?? "–",
            ]
        }
    }

    static let sourceHeader = ["n", "positives", "recall", "FPR", "AUPRC", "ROC-AUC"]

    static func sourceRow(_ source: SourceReport) -> [String] {
        [
            source.source, "\(source.count)", "\(source.positives)", ReportFormat.number(source.recall),
            ReportFormat.number(source.falsePositiveRate), ReportFormat.number(source.averagePrecision),
            ReportFormat.number(source.rocAUC),
        ]
    }

    private var benignSection: String {
        let benign = realisticBenign
        let missing = benign.sources.filter { !benign.sourcesFound.contains($0) }
        var text =
            "FPR of `unsafe` on \(benign.count) safe items from \(benign.sourcesFound.map { "`\($0)`" }.joined(separator: ", ")): "
            + "**\(ReportFormat.estimate(benign.falsePositiveRate))** (\(benign.falsePositives) flagged)."
        if benign.sourcesFound.isEmpty { text = "None of the realistic benign sources is in the data." }
        if !missing.isEmpty { text += " Not in the data: \(missing.map { "`\($0)`" }.joined(separator: ", "))." }
        return text
    }

    private var sourceTable: String {
        ReportFormat.table(["source"] + Self.sourceHeader, sources.map(Self.sourceRow), rightAligned: Set(1...6))
    }

    private var definitions: String {
        let negatives =
            options.categoryNegatives == .safeItems
            ? "negatives are safe items; unsafe items without one of its codes (uncategorised, or tagged only "
                + "with other categories) are excluded"
            : "negatives are safe items and unsafe items tagged only with other mapped categories; "
                + "uncategorised unsafe items are excluded"
        return [
            "- An item is flagged when its score is at or above the threshold.",
            "- `unsafe` uses every item. A category label's positives are items carrying a code mapped onto it; "
                + "\(negatives) (column *excluded*).",
            "- AUPRC is average precision (step-wise, as scikit-learn's `average_precision_score`); ROC-AUC "
                + "is the trapezoid area (ties count ½); ECE uses \(options.calibrationBins) equal-width bins.",
            "- Recall @ \(target) FPR uses the lowest threshold whose FPR is at most \(target); its interval "
                + "re-chooses the threshold in each resample.",
            "- `–` marks a metric that is undefined on the data (for example AUPRC without positives).",
        ].joined(separator: "\n")
    }
}
