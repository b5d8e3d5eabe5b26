/// Scores in [0, 1] and true labels for one binary label, sorted once (highest score first) so
/// every metric is a single sweep.
///
/// Each item carries a multiplicity (1 for real data); bootstrap resamples reuse the sorted order
/// and only change multiplicities, which keeps a resample O(n).
public struct BinarySample: Sendable {
    /// Scores, highest first.
    let scores: [Double]
    /// Truths aligned with `scores`.
    let truths: [Bool]
    /// How many times each item counts.
    let weights: [Int]
    /// The position each sorted item had in the input, so two models' samples of the same items
    /// can be paired (``Bootstrap``'s paired differences).
    let inputIndices: [Int]

    /// The number of items (with multiplicity).
    public let count: Int
    /// The number of positive items (with multiplicity).
    public let positives: Int
    /// The number of negative items.
    public var negatives: Int { count - positives }

    /// Sorts and checks the scores.
    /// - Throws: ``MetricError`` when the arrays differ in length or a score is not a number in [0, 1].
    public init(scores: [Double], truths: [Bool]) throws(MetricError) {
        guard scores.count == truths.count else {
            throw .countMismatch(scores: scores.count, truths: truths.count)
        }
        for (index, score) in scores.enumerated() where !(0...1).contains(score) {
            throw .scoreOutOfRange(index: index, value: score)
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        self.init(
            sortedScores: order.map { scores[$0] }, truths: order.map { truths[$0] },
            weights: Array(repeating: 1, count: scores.count), inputIndices: order)
    }

    /// A sample already sorted by descending score.
    init(sortedScores: [Double], truths: [Bool], weights: [Int], inputIndices: [Int]) {
        self.scores = sortedScores
        self.truths = truths
        self.weights = weights
        self.inputIndices = inputIndices
        var count = 0
        var positives = 0
        for index in weights.indices {
            count += weights[index]
            if truths[index] { positives += weights[index] }
        }
        self.count = count
        self.positives = positives
    }

    /// The same items with other multiplicities (used by the bootstrap).
    func reweighted(_ weights: [Int]) -> BinarySample {
        BinarySample(sortedScores: scores, truths: truths, weights: weights, inputIndices: inputIndices)
    }

    /// Counts when items scoring at or above `threshold` are predicted positive.
    public func confusion(at threshold: Double) -> ConfusionCounts {
        var truePositives = 0
        var falsePositives = 0
        for index in scores.indices {
            guard scores[index] >= threshold else { break }
            if truths[index] { truePositives += weights[index] } else { falsePositives += weights[index] }
        }
        return counts(truePositives: truePositives, falsePositives: falsePositives)
    }

    func counts(truePositives: Int, falsePositives: Int) -> ConfusionCounts {
        ConfusionCounts(
            truePositives: truePositives, falsePositives: falsePositives,
            trueNegatives: negatives - falsePositives, falseNegatives: positives - truePositives)
    }

    // MARK: - Sweep

    /// Cumulative counts at one distinct score: everything scoring at or above it is flagged.
    struct Step {
        var threshold: Double
        var truePositives: Int
        var falsePositives: Int
    }

    /// One step per distinct score with non-zero weight, highest score first. Tied scores form a
    /// single step, which is what makes AP and ROC-AUC independent of the order of ties.
    func sweep() -> [Step] {
        var steps: [Step] = []
        var truePositives = 0
        var falsePositives = 0
        var index = 0
        while index < scores.count {
            let score = scores[index]
            var groupWeight = 0
            while index < scores.count, scores[index] == score {
                if truths[index] { truePositives += weights[index] } else { falsePositives += weights[index] }
                groupWeight += weights[index]
                index += 1
            }
            if groupWeight > 0 {
                steps.append(Step(threshold: score, truePositives: truePositives, falsePositives: falsePositives))
            }
        }
        return steps
    }

    /// A threshold just above every score: nothing is flagged.
    var thresholdAboveAll: Double { (scores.first ?? 1).nextUp }
}

/// A problem with the scores handed to a metric.
public enum MetricError: Error, Sendable, Equatable, CustomStringConvertible {
    case countMismatch(scores: Int, truths: Int)
    case scoreOutOfRange(index: Int, value: Double)

    public var description: String {
        switch self {
        case .countMismatch(let scores, let truths):
            "got \(scores) scores for \(truths) labels; pass one score per labelled item"
        case .scoreOutOfRange(let index, let value):
            "score \(value) at index \(index) is not a probability in [0, 1]; pass sigmoid outputs, not logits"
        }
    }
}
