/// Maps the dataset's category codes (`S1`…`S14`, `harassment`, `jailbreak`, `prompt_injection`,
/// `profanity`) onto the model's label names. Codes with no mapping are ignored by the report;
/// several codes may map onto one label.
public struct CategoryMapping: Codable, Sendable, Hashable {
    /// Every category code the shared data uses.
    public static let datasetCodes: [String] =
        (1...14).map { "S\($0)" } + ["harassment", "jailbreak", "prompt_injection", "profanity"]

    /// Dataset code → model label.
    public var modelLabels: [String: String]

    public init(_ modelLabels: [String: String]) { self.modelLabels = modelLabels }

    /// Builds the mapping by asking `map` about each of `codes` (by default every dataset code),
    /// e.g. `CategoryMapping { taxonomy.modelLabel(forAlias: $0) }`.
    public init(codes: [String] = CategoryMapping.datasetCodes, _ map: (String) -> String?) {
        var labels: [String: String] = [:]
        for code in codes { if let label = map(code) { labels[code] = label } }
        modelLabels = labels
    }

    /// The model label a dataset code maps onto, if any.
    public func label(for code: String) -> String? { modelLabels[code] }

    /// The distinct model labels, sorted.
    public var labels: [String] { Array(Set(modelLabels.values)).sorted() }

    /// The dataset codes that map onto `label`, sorted.
    public func codes(for label: String) -> [String] {
        modelLabels.filter { $0.value == label }.map(\.key).sorted()
    }
}

/// Which items count as negatives for a category label.
public enum CategoryNegatives: String, Codable, Sendable, CaseIterable {
    /// Only safe items (the default). Unsafe items with another category are left out, because
    /// sources tag only the category they were collected for and such an item may well also
    /// belong to this one.
    case safeItems
    /// Safe items and unsafe items tagged only with other categories.
    case safeAndOtherCategories
}

/// Settings of an evaluation run, recorded in the report.
public struct EvaluationOptions: Codable, Sendable, Hashable {
    /// The sources of the shared data whose safe items are realistic or borderline benign text.
    /// Real user prompts, borderline requests, and (pool 4) benign prompts full of injection trigger words,
    /// translated benign programming requests and mental-health questions to counsellors.
    public static let defaultRealisticBenignSources = [
        "toxicchat_train", "cyberseceval_frr", "toxigen_seeds", "arena_hard", "coconot",
        "injecguard_sets", "cse_frr_multilingual", "counsel_chat",
    ]

    public var bootstrap: BootstrapOptions
    /// The false-positive-rate limit for "recall at FPR" (0.05 = 5%).
    public var falsePositiveRateTarget: Double
    /// Equal-width bins for ECE and the reliability diagram.
    public var calibrationBins: Int
    /// Sources whose safe items make up the "realistic benign" false-positive rate.
    public var realisticBenignSources: [String]
    /// Which items are negatives for category labels.
    public var categoryNegatives: CategoryNegatives
    /// At most this many precision-recall points are kept per label for plots.
    public var curvePointLimit: Int

    public init(
        bootstrap: BootstrapOptions = BootstrapOptions(),
        falsePositiveRateTarget: Double = 0.05,
        calibrationBins: Int = 10,
        realisticBenignSources: [String] = EvaluationOptions.defaultRealisticBenignSources,
        categoryNegatives: CategoryNegatives = .safeItems,
        curvePointLimit: Int = 200
    ) {
        self.bootstrap = bootstrap
        self.falsePositiveRateTarget = falsePositiveRateTarget
        self.calibrationBins = calibrationBins
        self.realisticBenignSources = realisticBenignSources
        self.categoryNegatives = categoryNegatives
        self.curvePointLimit = curvePointLimit
    }
}
