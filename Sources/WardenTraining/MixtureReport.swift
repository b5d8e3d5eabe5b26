import Foundation
import WardenEval

/// What a training run will see, per source: the table `warden data stats` prints.
public struct MixtureReport: Sendable, Codable {
    public struct Row: Sendable, Codable, Hashable {
        public var source: String
        public var items: Int
        public var unsafe: Int
        public var withResponse: Int
        public var train: Int
        public var calibration: Int
        public var validation: Int
        public var weight: Double
        public var safeBoost: Double
        /// Share of the total training loss weight this source carries.
        public var lossShare: Double
    }

    public var rows: [Row]
    /// Training items per category code, after caps.
    public var trainCategories: [String: Int]
    /// Validation positives per category code: how much evidence each per-category metric rests on.
    public var validationCategories: [String: Int]
    /// Items (in all parts) whose categories come from a reviewed addition (``CategoryAdditions``).
    public var reviewedAdditions: Int

    /// Builds the report for `examples` under `split`, `mixture` and the label rules of `targets`.
    public init(examples: [LabelledExample], split: DataSplit, mixture: DataMixture, targets: TargetBuilder) {
        let parts = split.split(examples)
        let train = mixture.capped(parts[.train] ?? [])
        func count(_ part: [LabelledExample]?) -> [String: Int] {
            (part ?? []).reduce(into: [:]) { $0[$1.source, default: 0] += 1 }
        }
        let trainCounts = count(train), calibration = count(parts[.calibration]), validation = count(parts[.validation])
        var lossBySource: [String: Double] = [:]
        for example in train {
            lossBySource[example.source, default: 0] += mixture.weight(of: example, unsafe: targets.isUnsafe(example))
        }
        func categoryCounts(_ part: [LabelledExample]) -> [String: Int] {
            var categories: [String: Int] = [:]
            for example in part {
                let unsafe = targets.isUnsafe(example)
                for code in example.categories where unsafe || code == LabelSpace.profanityLabel { categories[code, default: 0] += 1 }
                if TargetBuilder.isProfanityOnly(example) { categories[LabelSpace.profanityLabel, default: 0] += 1 }
            }
            return categories
        }
        let totalLoss = max(lossBySource.values.reduce(0, +), 1e-9)
        let bySource = Dictionary(grouping: examples, by: \.source)
        rows = bySource.keys.sorted().map { source in
            let items = bySource[source] ?? []
            let mixing = mixture.mixing(for: source)
            return Row(
                source: source, items: items.count,
                unsafe: items.filter(targets.isUnsafe).count,
                withResponse: items.filter { $0.response != nil }.count,
                train: trainCounts[source] ?? 0, calibration: calibration[source] ?? 0,
                validation: validation[source] ?? 0, weight: mixing.weight, safeBoost: mixing.safeBoost,
                lossShare: (lossBySource[source] ?? 0) / totalLoss
            )
        }
        trainCategories = categoryCounts(train)
        validationCategories = categoryCounts(parts[.validation] ?? [])
        reviewedAdditions = examples.filter { $0.categoriesPartial == true }.count
    }

    /// A Markdown table.
    public var markdown: String {
        var lines = ["| source | items | unsafe | w/ response | train | calib | valid | weight | safe boost | loss share |",
                     "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in rows {
            lines.append("| \(row.source) | \(row.items) | \(row.unsafe) | \(row.withResponse) | \(row.train) | \(row.calibration) | \(row.validation) | "
                + String(format: "%.2f | %.2f | %.1f%% |", row.weight, row.safeBoost, row.lossShare * 100))
        }
        let total = rows.reduce(into: (0, 0, 0, 0, 0)) { $0.0 += $1.items; $0.1 += $1.unsafe; $0.2 += $1.train; $0.3 += $1.calibration; $0.4 += $1.validation }
        lines.append("| **total** | \(total.0) | \(total.1) | | \(total.2) | \(total.3) | \(total.4) | | | 100% |")
        lines.append("")
        func list(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key.localizedStandardCompare($1.key) == .orderedAscending }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        lines.append("Training items per category: " + list(trainCategories))
        lines.append("")
        lines.append("Validation positives per category (per-category metrics rest on these): " + list(validationCategories))
        if reviewedAdditions > 0 {
            lines.append("")
            lines.append("Categories from reviewed additions (other categories unknown): \(reviewedAdditions) items")
        }
        return lines.joined(separator: "\n")
    }
}
