import Foundation
import WardenEval
import WardenTokenizer

/// How much one source contributes to training.
public struct SourceMixing: Sendable, Hashable, Codable {
    /// Maximum training items taken from the source (a deterministic subset), or nil for all.
    public var cap: Int?
    /// Loss weight of every item of the source.
    public var weight: Double
    /// Extra factor on the source's safe items: realistic, borderline benign text is what a guard
    /// most often gets wrong, so it counts more than easy instructions.
    public var safeBoost: Double
    /// Items of the source that never train (they stay in calibration and validation, where they are measured).
    public var exclusions: [TrainingExclusion]

    public init(cap: Int? = nil, weight: Double = 1, safeBoost: Double = 1, exclusions: [TrainingExclusion] = []) {
        self.cap = cap
        self.weight = weight
        self.safeBoost = safeBoost
        self.exclusions = exclusions
    }

    public func excludes(_ example: LabelledExample) -> Bool { exclusions.contains { $0.excludes(example) } }
}

/// A rule that keeps some items of a source out of training, each for a reason its case names.
public enum TrainingExclusion: Sendable, Hashable, Codable {
    /// Items in these languages (`orig_labels.lang`): text the encoder cannot read teaches only a prior about its
    /// script (MiniLM's English vocabulary turns Thai into a few `[UNK]`s, so all-unsafe Thai requests would teach
    /// "Thai is unsafe").
    case languages(Set<String>)
    /// Items whose mean rating of `field` (`orig_labels.annotations_mean`) lies in the band: the raters' mean sits
    /// between the clear cases, so the binary label is a coin toss of the cut point (RTP-LX's "unsafe" starts at a
    /// mean toxicity of 2.33 on its 1-5 scale).
    case borderlineRating(field: String, low: Double, high: Double)
    /// Injected items whose attack string (`orig_labels.attack`) starts after this many characters: training
    /// scores the first window only, which may not reach the attack, so the label would be wrong for what is seen.
    case attackBeyond(characters: Int)

    public func excludes(_ example: LabelledExample) -> Bool {
        switch self {
        case .languages(let languages):
            guard case .string(let lang)? = example.origLabels?["lang"] else { return false }
            return languages.contains(lang)
        case .borderlineRating(let field, let low, let high):
            guard case .object(let means)? = example.origLabels?["annotations_mean"], let rating = means[field]?.doubleValue else {
                return false
            }
            return rating >= low && rating <= high
        case .attackBeyond(let characters):
            guard case .string(let attack)? = example.origLabels?["attack"], example.unsafe else { return false }
            guard let range = example.prompt.range(of: attack) else { return true }
            return example.prompt.distance(from: example.prompt.startIndex, to: range.lowerBound) > characters
        }
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
        // Pool 4 (Docs/training.md, "Mixture"). Multilingual toxicity: only the clear ratings train.
        "rtplx_train": SourceMixing(weight: 1.5, safeBoost: 1.5,
                                    exclusions: [.borderlineRating(field: "Toxicity", low: 1.6, high: 3.4)]),
        "multijail": SourceMixing(weight: 2, exclusions: [.languages(["th"])]),
        // Its "safe" means safe for four tasks; hostile comments stay in, at half weight.
        "germeval2026": SourceMixing(cap: 2500, weight: 1, safeBoost: 0.5),
        // Benign mental-health disclosure and counselling: the hard negatives of self-harm (long texts, capped).
        "imhi_disclosure": SourceMixing(cap: 1000, weight: 2),
        "counsel_chat": SourceMixing(cap: 1500, weight: 2),
        "bipia_train": SourceMixing(cap: 1200, weight: 1, exclusions: [.attackBeyond(characters: 700)]),
        "cse_pi_multilingual": SourceMixing(weight: 1.5),
        "cse_frr_multilingual": SourceMixing(weight: 2),
        "injecguard_sets": SourceMixing(weight: 3),
        // Warden's own contrast pairs (Data/contrast): hard negatives next to harm that is not a request.
        "warden_contrast": SourceMixing(weight: 3),
    ])

    /// The mixture of a multilingual encoder (multilingual-e5-small): the standard one, except that MultiJail's Thai
    /// requests train. They were left out only because MiniLM's English vocabulary reads Thai as a few `[UNK]`s;
    /// an encoder that reads Thai learns from them what it learns from the Italian ones.
    public static let multilingual: DataMixture = {
        var mixture = standard
        mixture.sources["multijail"] = SourceMixing(weight: 2)
        return mixture
    }()

    /// The multilingual mixture with German violent speech at full size (warden-e5-multilingual 0.2.0's candidate,
    /// `Docs/training.md`). The routed bundle judges only non-English text, and German is the one language whose
    /// own source was cut down: GermEval was capped at 2,500 of its 4,250 training items and counted 1.2% of the
    /// loss. Here every training item trains and its unsafe items (violence, threats, calls to action, subversion:
    /// unambiguous in GermEval's scheme) count twice; its safe items keep their weight of 0.5, because "safe" there
    /// means safe for four tasks only and many of them are still hostile.
    public static let multilingualGerman: DataMixture = {
        var mixture = multilingual
        mixture.sources["germeval2026"] = SourceMixing(weight: 2, safeBoost: 0.25)
        return mixture
    }()

    /// The mixtures a run or `warden data stats` can name, by name.
    public static let named: [String: DataMixture] = [
        "standard": standard, "multilingual": multilingual, "multilingual-de": multilingualGerman,
    ]

    /// The mixture called `name`, or an error that lists the names there are.
    public static func named(_ name: String) throws -> DataMixture {
        guard let mixture = named[name] else { throw DataMixtureError.unknownName(name, known: named.keys.sorted()) }
        return mixture
    }

    /// The name of the mixture an encoder trains on unless told otherwise, by what its tokenizer can read: a
    /// WordPiece (English) vocabulary gets the standard mixture, a SentencePiece (XLM-R) vocabulary the
    /// multilingual one.
    public static func defaultName(for family: TokenizerFamily) -> String {
        switch family {
        case .wordPiece: "standard"
        case .sentencePiece: "multilingual"
        }
    }

    /// The training items: exclusions applied, then the caps (a deterministic subset per source, by the split
    /// hash), input order kept.
    public func capped(_ examples: [LabelledExample], salt: String = "warden-cap-v1") -> [LabelledExample] {
        var bySource: [String: [Int]] = [:]
        for (index, example) in examples.enumerated() where !mixing(for: example.source).excludes(example) {
            bySource[example.source, default: []].append(index)
        }
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

/// A mixture asked for by a name that does not exist.
public enum DataMixtureError: Error, LocalizedError, Equatable {
    case unknownName(String, known: [String])

    public var errorDescription: String? {
        switch self {
        case .unknownName(let name, let known): "--mixture must be one of \(known.joined(separator: ", ")), not '\(name)'"
        }
    }
}
