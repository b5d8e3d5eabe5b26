import Foundation

/// Side-by-side comparison of two reports on the same data (e.g. frozen head vs fine-tuned).
public enum ReportComparison {
    /// Whether a larger value of a metric is better.
    enum Preference: Sendable { case higher, lower }

    struct Metric: Sendable {
        let name: String
        let preference: Preference
        let value: @Sendable (LabelReport) -> Estimate?
    }

    static let metrics: [Metric] = [
        Metric(name: "AUPRC", preference: .higher) { $0.averagePrecision },
        Metric(name: "ROC-AUC", preference: .higher) { $0.rocAUC.map { Estimate(value: $0) } },
        Metric(name: "F1", preference: .higher) { $0.f1 },
        Metric(name: "precision", preference: .higher) { $0.precision.map { Estimate(value: $0) } },
        Metric(name: "recall", preference: .higher) { $0.recall.map { Estimate(value: $0) } },
        Metric(name: "FPR", preference: .lower) { $0.falsePositiveRate },
        Metric(name: "recall @ FPR target", preference: .higher) { $0.recallAtFalsePositiveRate?.recall },
        Metric(name: "ECE", preference: .lower) { $0.expectedCalibrationError.map { Estimate(value: $0) } },
        Metric(name: "Brier", preference: .lower) { $0.brierScore.map { Estimate(value: $0) } },
    ]

    /// A Markdown table with one row per label and metric: both values with intervals, the
    /// difference (candidate − baseline) and which is better. "(overlap)" marks rows whose
    /// intervals overlap, where the difference may be noise.
    public static func markdown(
        baseline: EvaluationReport, candidate: EvaluationReport,
        baselineName: String = "baseline", candidateName: String = "candidate"
    ) -> String {
        var names = baseline.labels.map(\.label)
        names += candidate.labels.map(\.label).filter { !names.contains($0) }
        var rows: [[String]] = []
        for name in names {
            let old = baseline.label(name)
            let new = candidate.label(name)
            for metric in metrics {
                let metricName = metric.name.replacingOccurrences(
                    of: "FPR target", with: "\(ReportFormat.percent(baseline.options.falsePositiveRateTarget)) FPR")
                rows.append(
                    row(
                        name, metricName, metric.preference, old.flatMap(metric.value), new.flatMap(metric.value),
                        baselineName, candidateName))
            }
        }
        rows.append(
            row(
                "unsafe", "realistic benign FPR", .lower, baseline.realisticBenign.falsePositiveRate,
                candidate.realisticBenign.falsePositiveRate, baselineName, candidateName))
        var text = "## \(baselineName) vs \(candidateName)\n\n"
        if baseline.exampleCount != candidate.exampleCount {
            text +=
                "Warning: the reports cover different data (\(baseline.exampleCount) vs "
                + "\(candidate.exampleCount) examples).\n\n"
        }
        text += ReportFormat.table(
            ["label", "metric", baselineName, candidateName, "Δ", "better"], rows, rightAligned: [2, 3, 4])
        return text + "\n"
    }

    static func row(
        _ label: String, _ metric: String, _ preference: Preference, _ old: Estimate?, _ new: Estimate?,
        _ baselineName: String, _ candidateName: String
    ) -> [String] {
        var delta = "–"
        var better = "–"
        if let old, let new {
            delta = (new.value >= old.value ? "+" : "") + ReportFormat.number(new.value - old.value)
            if new.value == old.value {
                better = "tie"
            } else {
                let candidateWins = (new.value > old.value) == (preference == .higher)
                better = candidateWins ? candidateName : baselineName
                if let a = old.interval, let b = new.interval, a.lower <= b.upper, b.lower <= a.upper {
                    better += " (overlap)"
                }
            }
        }
        return [label, metric, ReportFormat.estimate(old), ReportFormat.estimate(new), delta, better]
    }
}
