/// Metrics of a classifier on a labelled set: the overall `unsafe` label, each mapped category
/// label, a per-source breakdown and the false-positive rate on realistic benign text.
///
/// Build it with ``init(examples:scores:thresholds:categoryMapping:options:metadata:)``; write it with
/// ``jsonData()``, ``markdown()`` and ``SVGChart``.
public struct EvaluationReport: Codable, Sendable, Hashable {
    /// Bumped when the JSON layout changes incompatibly.
    public var formatVersion = 1
    /// Free-form context such as model id and data files, shown at the top of the Markdown.
    public var metadata: [String: String]
    public var exampleCount: Int
    public var options: EvaluationOptions
    /// Dataset code → model label, as used.
    public var categoryMapping: [String: String]
    /// `unsafe` first, then the category labels sorted by name.
    public var labels: [LabelReport]
    /// The `unsafe` label per source, sorted by source.
    public var sources: [SourceReport]
    public var realisticBenign: BenignReport
    /// `unsafe` per value of the `--group-by` fields (absent when none was asked for).
    public var groups: [GroupReport]? = nil
    /// Per source, the worst false positives and misses (absent in reports written before they were listed).
    public var errors: [SourceErrors]? = nil

    /// The report of one label, if it was evaluated.
    public func label(_ name: String) -> LabelReport? { labels.first { $0.label == name } }
}

/// A point estimate with its bootstrap interval (nil when resampling was off).
public struct Estimate: Codable, Sendable, Hashable {
    public var value: Double
    public var interval: ConfidenceInterval?

    public init(value: Double, interval: ConfidenceInterval? = nil) {
        self.value = value
        self.interval = interval
    }
}

/// Everything measured for one model label.
public struct LabelReport: Codable, Sendable, Hashable {
    public var label: String
    /// The dataset codes counted as positives (empty for `unsafe`, whose truth is the `unsafe` field).
    public var codes: [String]
    /// Items used: positives plus negatives.
    public var count: Int
    public var positives: Int
    public var negatives: Int
    /// Items left out because their truth for this label is unknown (see ``CategoryNegatives``).
    public var excluded: Int
    /// The operating threshold: items scoring at or above it are flagged.
    public var threshold: Double
    /// Counts at the operating threshold.
    public var counts: ConfusionCounts
    public var precision: Double?
    /// Bootstrap interval of `precision` (absent in reports written before it existed).
    public var precisionInterval: ConfidenceInterval? = nil
    public var recall: Double?
    /// The bootstrap interval of `recall` (absent in reports written before it was measured).
    public var recallInterval: ConfidenceInterval? = nil
    public var f1: Estimate?
    public var falsePositiveRate: Estimate?
    public var averagePrecision: Estimate?
    public var rocAUC: Double?
    public var expectedCalibrationError: Double?
    public var brierScore: Double?
    /// The threshold that maximises F1 on this set.
    public var bestF1: OperatingPoint?
    /// The best recall with FPR at most ``EvaluationOptions/falsePositiveRateTarget``.
    public var recallAtFalsePositiveRate: RecallAtFalsePositiveRate?
    /// Precision-recall points (thinned to at most ``EvaluationOptions/curvePointLimit``).
    public var precisionRecallCurve: [PrecisionRecallPoint]
    public var reliability: [ReliabilityBin]
}

/// Recall at a false-positive-rate limit, the threshold that achieves it, and its interval.
public struct RecallAtFalsePositiveRate: Codable, Sendable, Hashable {
    public var target: Double
    public var threshold: Double
    public var recall: Estimate
    /// The false-positive rate actually reached at `threshold` (at most `target`).
    public var falsePositiveRate: Double
}

/// The `unsafe` label on the items of one source.
public struct SourceReport: Codable, Sendable, Hashable {
    public var source: String
    public var count: Int
    public var positives: Int
    /// At the operating threshold; nil without positives.
    public var recall: Double?
    /// At the operating threshold; nil without negatives.
    public var falsePositiveRate: Double?
    /// nil unless both classes are present (with positives only it would trivially be 1).
    public var averagePrecision: Double?
    /// nil unless both classes are present.
    public var rocAUC: Double?
}

/// The `unsafe` false-positive rate on the safe items of sources chosen as realistic benign text.
public struct BenignReport: Codable, Sendable, Hashable {
    /// The sources asked for.
    public var sources: [String]
    /// The asked-for sources that had safe items in the data.
    public var sourcesFound: [String]
    public var count: Int
    public var falsePositives: Int
    /// nil when no safe item of those sources was present.
    public var falsePositiveRate: Estimate?
}
