/// Counts of a binary decision against the truth; an item is predicted positive when its score is
/// at or above the threshold.
///
/// Ratios whose denominator is zero are nil rather than NaN, so they can be written as JSON and
/// never poison an average: precision is nil when nothing is predicted positive, recall when there
/// are no positives, FPR when there are no negatives, and F1 (= 2TP / (2TP + FP + FN)) when there
/// are neither positives nor predicted positives.
public struct ConfusionCounts: Codable, Sendable, Hashable {
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int

    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    public var positives: Int { truePositives + falseNegatives }
    public var negatives: Int { falsePositives + trueNegatives }
    public var count: Int { positives + negatives }

    /// TP / (TP + FP).
    public var precision: Double? { ratio(truePositives, truePositives + falsePositives) }
    /// TP / (TP + FN), also the true-positive rate.
    public var recall: Double? { ratio(truePositives, positives) }
    /// The true-positive rate; the same as ``recall``.
    public var truePositiveRate: Double? { recall }
    /// FP / (FP + TN).
    public var falsePositiveRate: Double? { ratio(falsePositives, negatives) }
    /// 2TP / (2TP + FP + FN): the harmonic mean of precision and recall, 0 when TP is 0 but
    /// there are positives or false alarms.
    public var f1: Double? { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }

    private func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }
}

/// A threshold together with the counts it produces on a sample.
public struct OperatingPoint: Codable, Sendable, Hashable {
    public var threshold: Double
    public var counts: ConfusionCounts

    public init(threshold: Double, counts: ConfusionCounts) {
        self.threshold = threshold
        self.counts = counts
    }
}

/// One point of a precision-recall curve: the items scoring at or above `threshold` are flagged.
public struct PrecisionRecallPoint: Codable, Sendable, Hashable {
    public var threshold: Double
    public var precision: Double
    public var recall: Double

    public init(threshold: Double, precision: Double, recall: Double) {
        self.threshold = threshold
        self.precision = precision
        self.recall = recall
    }
}

/// One point of a ROC curve: the items scoring at or above `threshold` are flagged.
public struct ROCPoint: Codable, Sendable, Hashable {
    public var threshold: Double
    public var falsePositiveRate: Double
    public var truePositiveRate: Double

    public init(threshold: Double, falsePositiveRate: Double, truePositiveRate: Double) {
        self.threshold = threshold
        self.falsePositiveRate = falsePositiveRate
        self.truePositiveRate = truePositiveRate
    }
}
