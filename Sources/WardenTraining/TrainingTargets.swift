import WardenEval

/// The model's output labels and how dataset category codes map onto them.
public struct LabelSpace: Sendable, Hashable, Codable {
    /// Model labels in output order; `unsafe` is always first.
    public var labels: [String]
    /// Dataset code (`S1`, `jailbreak`, `profanity`, ...) to model label.
    public var labelForCode: [String: String]

    public init(labels: [String], labelForCode: [String: String]) {
        precondition(labels.first == "unsafe", "the first model label must be `unsafe`")
        self.labels = labels
        self.labelForCode = labelForCode
    }

    public func index(of label: String) -> Int? { labels.firstIndex(of: label) }

    /// The auxiliary label for profanity without a hazard: it is trained so the model learns to
    /// tell swearing from hate, and no hazard maps to it, so no policy blocks on it by default.
    public static let profanityLabel = "profanity"
}

/// Targets of one example for multi-label BCE: a value and a mask per label (mask 0 = unknown,
/// excluded from the loss).
public struct TrainingTarget: Sendable, Hashable {
    public var values: [Float]
    public var mask: [Float]
}

/// Turns dataset labels into training targets. Every decision about what a label means is here.
///
/// - Items marked unsafe without categories train `unsafe` only; their categories are unknown.
/// - Items whose categories are partial (a reviewed addition) train those categories as positives
///   and leave the others unknown.
/// - Davidson "offensive" tweets (slurs or profanity, no hate) are relabelled safe with `profanity`
///   set: profanity is not a hazard in the Llama Guard taxonomy, and treating it as unsafe flags
///   casual speech. They stay negatives for `hate`, the only hazard Davidson annotates.
/// - Safe items of corpora that annotate only some hazards (EDOS: sexism; CAD: abuse; GermEval: violence, calls
///   to action, defamation, attacks on democracy) are negatives
///   for those hazards and `unsafe`, and unknown for the others.
/// - `profanity` is known only where a source annotates it (Davidson, Gab); elsewhere it is masked.
public struct TargetBuilder: Sendable {
    public var space: LabelSpace
    /// Sources whose safe items say nothing about hazards other than the listed codes.
    public var narrowSources: [String: Set<String>]
    /// Sources that annotate profanity.
    public var profanitySources: Set<String>

    /// The sources whose "safe" means free of the listed hazards only (the data README's caveats): EDOS is about
    /// sexism, CAD about abuse, GermEval about violence, threats and calls to action; many of their safe items are
    /// still hostile.
    public static let standardNarrowSources: [String: Set<String>] = [
        "edos": ["S10", "S1"], "cad": ["S10", "harassment"], "germeval2026": ["S1", "harassment"],
    ]

    public init(
        space: LabelSpace,
        narrowSources: [String: Set<String>] = TargetBuilder.standardNarrowSources,
        profanitySources: Set<String> = ["davidson_hate_offensive", "gab_hate_corpus"]
    ) {
        self.space = space
        self.narrowSources = narrowSources
        self.profanitySources = profanitySources
    }

    /// Whether the item is a Davidson tweet whose annotators called it offensive but not hate.
    public static func isProfanityOnly(_ example: LabelledExample) -> Bool {
        example.source == "davidson_hate_offensive"
            && example.origLabels?["class"] == .string("offensive_language")
    }

    /// The `unsafe` truth this builder trains and evaluates with (after relabelling).
    public func isUnsafe(_ example: LabelledExample) -> Bool {
        Self.isProfanityOnly(example) ? false : example.unsafe
    }

    public func target(for example: LabelledExample) -> TrainingTarget {
        let count = space.labels.count
        var values = [Float](repeating: 0, count: count)
        var mask = [Float](repeating: 0, count: count)
        let profanity = space.index(of: LabelSpace.profanityLabel)
        let codes = example.categories.filter { $0 != LabelSpace.profanityLabel }
        let hazardIndices = (1..<count).filter { $0 != profanity }

        func set(_ code: String, _ value: Float) {
            if let label = space.labelForCode[code], let i = space.index(of: label) {
                values[i] = value
                mask[i] = 1
            }
        }

        mask[0] = 1
        if Self.isProfanityOnly(example) {
            set("S10", 0)
        } else if example.unsafe {
            values[0] = 1
            if !codes.isEmpty {
                if example.categoriesPartial != true { for i in hazardIndices { mask[i] = 1 } }
                for code in codes { set(code, 1) }
            }
        } else if let annotated = narrowSources[example.source] {
            for code in annotated { set(code, 0) }
        } else {
            for i in hazardIndices { mask[i] = 1 }
        }

        if let profanity, profanitySources.contains(example.source) || example.categories.contains(LabelSpace.profanityLabel) {
            mask[profanity] = 1
            values[profanity] = (Self.isProfanityOnly(example) || example.categories.contains(LabelSpace.profanityLabel)) ? 1 : 0
        }
        return TrainingTarget(values: values, mask: mask)
    }
}
