import Foundation
import WardenCore

/// Per-language `unsafe` thresholds for the languages where the shared one does not hold (Docs/training.md, the rule
/// of warden-e5-multilingual): a language whose safe items are flagged at the shared threshold at a rate outside
/// `band` gets its own threshold, chosen on the same items for `targetRate`. English (items without a language, or
/// `en`) is the reference the shared threshold was chosen on and never gets one.
public struct LanguageThresholds: Sendable, Hashable, Codable {
    public struct Row: Sendable, Hashable, Codable {
        public var language: String
        public var safeItems: Int
        /// False-positive rate of the language's safe items at the shared threshold.
        public var sharedRate: Double
        /// The language's own threshold, when the shared rate fell outside the band and there were enough items.
        public var threshold: Double?
        /// False-positive rate at ``threshold`` on the same items.
        public var rate: Double?
    }

    public var rows: [Row]

    /// The thresholds to store: language → `["unsafe": threshold]`.
    public var manifestValue: [String: [String: Double]] {
        Dictionary(uniqueKeysWithValues: rows.compactMap { row in row.threshold.map { (row.language, [LabelScores.unsafeLabel: $0]) } })
    }

    /// - Parameters:
    ///   - shared: the bundle's `unsafe` threshold.
    ///   - narrowSources: sources whose "safe" means free of one hazard only (GermEval's hostile comments are safe for
    ///     its four tasks): their items do not count, since a rate on them is not a false-positive rate on harmless text.
    ///   - minimumItems: languages with fewer safe items keep the shared threshold (a rate over a handful decides nothing).
    public static func choose(
        examples: [LabelledExample], scores: [LabelScores], shared: Double, band: ClosedRange<Double>, targetRate: Double,
        floor: Double, narrowSources: Set<String> = [], minimumItems: Int = 50
    ) -> LanguageThresholds {
        precondition(examples.count == scores.count)
        var safeScores: [String: [Double]] = [:]
        for (example, score) in zip(examples, scores) where !example.unsafe && !narrowSources.contains(example.source) {
            let language = example.groupValue(of: "orig_labels.lang") ?? "en"
            guard language != "en" else { continue }
            safeScores[language, default: []].append(score.unsafe)
        }
        let rows = safeScores.keys.sorted().map { language -> Row in
            let values = safeScores[language]!.sorted(by: >)
            let rate = Self.rate(values, at: shared)
            var row = Row(language: language, safeItems: values.count, sharedRate: rate)
            guard values.count >= minimumItems, !band.contains(rate) else { return row }
            // The lowest threshold that flags at most targetRate of these items: just above the score of the first
            // item that must stay unflagged.
            let allowed = Int((targetRate * Double(values.count)).rounded(.down))
            let threshold = min(max(values[allowed] + 1e-9, floor), 1 - 1e-6)
            row.threshold = threshold
            row.rate = Self.rate(values, at: threshold)
            return row
        }
        return LanguageThresholds(rows: rows)
    }

    static func rate(_ descending: [Double], at threshold: Double) -> Double {
        Double(descending.filter { $0 >= threshold }.count) / Double(max(descending.count, 1))
    }

    public var markdown: String {
        var lines = ["| language | safe items | flagged at shared threshold | own threshold | flagged at own |", "|---|---:|---:|---:|---:|"]
        for row in rows {
            lines.append("| \(row.language) | \(row.safeItems) | \(String(format: "%.1f%%", row.sharedRate * 100)) | "
                + "\(row.threshold.map { String(format: "%.3f", $0) } ?? "–") | \(row.rate.map { String(format: "%.1f%%", $0 * 100) } ?? "–") |")
        }
        return lines.joined(separator: "\n")
    }
}
