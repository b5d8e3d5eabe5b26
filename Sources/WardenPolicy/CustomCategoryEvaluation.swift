import Foundation

/// A text with a yes/no label for one custom category: a line of `Policies/examples/*.jsonl`,
/// `{"text": "...", "positive": true}`.
public struct LabelledText: Sendable, Hashable, Codable {
    public var text: String
    public var positive: Bool

    public init(text: String, positive: Bool) {
        self.text = text
        self.positive = positive
    }

    /// Reads a JSONL file of labelled texts; blank lines are skipped.
    public static func load(from url: URL) throws -> [LabelledText] {
        let content = try String(contentsOf: url, encoding: .utf8)
        var items: [LabelledText] = []
        for (index, line) in content.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            do {
                items.append(try JSONDecoder().decode(LabelledText.self, from: Data(trimmed.utf8)))
            } catch {
                throw CustomCategoryError.unreadableExamples(file: url.relativePath, line: index + 1, reason: "\(error)")
            }
        }
        return items
    }
}

/// Precision and recall of one custom category on labelled texts, at the category's threshold.
public struct CustomCategoryEvaluation: Sendable, Hashable {
    public var categoryID: String
    public var threshold: Double
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int
    /// Calibrated score of each text, in input order.
    public var scores: [Double]

    /// `nil` when nothing was predicted positive.
    public var precision: Double? {
        let predicted = truePositives + falsePositives
        return predicted == 0 ? nil : Double(truePositives) / Double(predicted)
    }

    /// `nil` when there are no positive texts.
    public var recall: Double? {
        let actual = truePositives + falseNegatives
        return actual == 0 ? nil : Double(truePositives) / Double(actual)
    }

    public var f1: Double? {
        guard let precision, let recall, precision + recall > 0 else { return nil }
        return 2 * precision * recall / (precision + recall)
    }
}

extension CustomCategoryScorer {
    /// Scores `items` against `category` and counts hits at the category's threshold (`>=`).
    ///
    /// Use texts that are not among the category's own examples, or the numbers flatter it.
    public func evaluate(_ items: [LabelledText], category: CustomCategory) async throws -> CustomCategoryEvaluation {
        let scored = try await scores(for: items.map(\.text), categories: [category])
        var result = CustomCategoryEvaluation(
            categoryID: category.id, threshold: category.threshold,
            truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0, scores: []
        )
        for (item, scores) in zip(items, scored) {
            let score = scores[category.label] ?? 0
            result.scores.append(score)
            switch (score >= category.threshold, item.positive) {
            case (true, true): result.truePositives += 1
            case (true, false): result.falsePositives += 1
            case (false, false): result.trueNegatives += 1
            case (false, true): result.falseNegatives += 1
            }
        }
        return result
    }
}
