import WardenEval

/// How much one source contributes to training.
public struct SourceMixing: Sendable, Hashable, Codable {
    /// Maximum training items taken from the source (a deterministic subset), or nil for all.
    public var cap: Int?
    /// Loss weight of every item of the source.
    public var weight: Double
    /// Extra factor on the source's safe items: realistic, borderline benign text is what a guard
    /// most often gets wrong, so it counts more than easy instructions.
    public var safeBoost: Double

    public init(cap: Int? = nil, weight: Double = 1, safeBoost: Double = 1) {
        self.cap = cap
        self.weight = weight
        self.safeBoost = safeBoost
    }
}

/// Per-source mixture weights for a training run.
public struct DataMixture: Sendable, Hashable, Codable {
    public var sources: [String: SourceMixing]
    public var fallback: SourceMixing

    public init(sources: [String: SourceMixing], fallback: SourceMixing = SourceMixing()) {
        self.sources = sources
        self.fallback = fallback
    }

    public func mixing(for source: String) -> SourceMixing { sources[source] ?? fallback }

    /// The default mixture (see the model card for the reasoning): harmful requests are boosted; easy Alpaca instructions are
    /// capped and down-weighted; the big comment corpora are capped so hate speech does not drown
    /// the other hazards; realistic benign sets are boosted; DICES (noisy crowd labels) counts half.
    public static let standard = DataMixture(sources: [
        // Harmful requests and jailbreaks are few next to the comment corpora but are what a guard
        // in front of an assistant sees most; they count three times.
        "advbench": SourceMixing(weight: 3),
        "ailuminate_en_train": SourceMixing(weight: 3),
        "harmbench_val": SourceMixing(weight: 3),
        "malicious_instruct": SourceMixing(weight: 3),
        "strongreject": SourceMixing(weight: 3),
        "donotanswer": SourceMixing(weight: 3),
        "inthewild_jailbreaks": SourceMixing(weight: 2),
        "cyberseceval_interpreter": SourceMixing(weight: 2),
        "cyberseceval_prompt_injection": SourceMixing(weight: 3),
        "jbb_artifacts": SourceMixing(weight: 2),
        "alpaca_harmless": SourceMixing(cap: 4000, weight: 0.5),
        "davidson_hate_offensive": SourceMixing(cap: 8000, weight: 1, safeBoost: 1.5),
        "gab_hate_corpus": SourceMixing(cap: 8000, weight: 1, safeBoost: 1.5),
        "implicit_hate": SourceMixing(cap: 8000, weight: 1, safeBoost: 1.5),
        "stormfront_hate": SourceMixing(cap: 6000, weight: 1, safeBoost: 1.5),
        "edos": SourceMixing(cap: 6000, weight: 1, safeBoost: 1.5),
        "cad": SourceMixing(cap: 6000, weight: 1, safeBoost: 1.5),
        "diasafety": SourceMixing(cap: 6000, weight: 1),
        "convabuse": SourceMixing(weight: 1, safeBoost: 1.5),
        "toxicchat_train": SourceMixing(weight: 2, safeBoost: 1.5),
        "cyberseceval_frr": SourceMixing(weight: 3),
        "toxigen_seeds": SourceMixing(weight: 2),
        "coconot": SourceMixing(weight: 2),
        "arena_hard": SourceMixing(weight: 1.5),
        "self_instruct_user": SourceMixing(weight: 1.5),
        "dices990": SourceMixing(weight: 0.5),
    ])

    /// Applies the caps: a deterministic subset per source (by the split hash), input order kept.
    public func capped(_ examples: [LabelledExample], salt: String = "warden-cap-v1") -> [LabelledExample] {
        var bySource: [String: [Int]] = [:]
        for (index, example) in examples.enumerated() { bySource[example.source, default: []].append(index) }
        var keep = Set<Int>()
        for (source, indices) in bySource {
            guard let cap = mixing(for: source).cap, indices.count > cap else {
                keep.formUnion(indices)
                continue
            }
            let ranked = indices.sorted {
                DataSplit.fnv1a("\(salt):\(examples[$0].id)") < DataSplit.fnv1a("\(salt):\(examples[$1].id)")
            }
            keep.formUnion(ranked.prefix(cap))
        }
        return examples.indices.filter(keep.contains).map { examples[$0] }
    }

    /// The loss weight of one example.
    public func weight(of example: LabelledExample, unsafe: Bool) -> Double {
        let mixing = mixing(for: example.source)
        return mixing.weight * (unsafe ? 1 : mixing.safeBoost)
    }
}
