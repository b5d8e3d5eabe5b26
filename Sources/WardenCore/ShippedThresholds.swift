/// The thresholds a model ships with (``ModelManifest`` records one; WardenEval chooses it), chosen on held-out benign text for a stated false-positive target.
///
/// A flat 0.5 is a statement about calibration, not about what a deployment feels: what users notice is how
/// often harmless messages are flagged. The choice is made at the level of the decision (an item is flagged
/// when any label reaches its threshold, as under the default policy), so the target holds for the verdict and
/// not just for one label:
///
/// 1. Each category label gets the higher of 0.5 and the threshold that flags at most `categoryRate` of the
///    benign items on its own: a category should name a hazard, not add false flags.
/// 2. `unsafe` gets the lowest threshold (not below `unsafeFloor`) at which the benign items flagged by any label
///    stay within `targetRate`.
public struct ShippedThresholds: Codable, Sendable, Hashable {
    /// Decision-level false-positive target on the benign items (0.03 = 3%).
    public var targetRate: Double
    /// False-positive rate each category label may add on its own.
    public var categoryRate: Double
    /// The lowest `unsafe` threshold allowed: below it, a few benign items of the calibration split would decide
    /// the threshold for text nobody has seen.
    public var unsafeFloor: Double
    /// Sources whose safe items are the benign text, and where they were taken from (e.g. `calibration`).
    public var benignSources: [String]
    public var split: String
    public var benignItems: Int
    /// The decision-level false-positive rate the thresholds give on those items.
    public var achievedRate: Double
    /// Threshold per model label.
    public var thresholds: [String: Double]

    public init(
        targetRate: Double, categoryRate: Double, unsafeFloor: Double, benignSources: [String], split: String,
        benignItems: Int, achievedRate: Double, thresholds: [String: Double]
    ) {
        self.targetRate = targetRate
        self.categoryRate = categoryRate
        self.unsafeFloor = unsafeFloor
        self.benignSources = benignSources
        self.split = split
        self.benignItems = benignItems
        self.achievedRate = achievedRate
        self.thresholds = thresholds
    }

    enum CodingKeys: String, CodingKey {
        case targetRate = "target_fpr", categoryRate = "category_fpr", unsafeFloor = "unsafe_floor"
        case benignSources = "benign_sources", split, benignItems = "benign_items", achievedRate = "achieved_fpr", thresholds
    }
}

