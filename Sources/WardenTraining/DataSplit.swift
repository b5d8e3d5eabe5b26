import WardenEval

/// Which part of the data an example belongs to.
public enum SplitPart: String, Codable, Sendable, CaseIterable {
    case train
    /// Fits per-label calibration and picks early-stopping epochs.
    case calibration
    /// Reported metrics only; never used to fit or choose anything.
    case validation
}

/// A fixed, deterministic split of the training pool, stratified by source.
///
/// Within each source, examples are ordered by a mixed 64-bit hash (``fnv1a(_:)``) of `salt + ":" + id`
/// and the first `validationFraction` go to validation, the next `calibrationFraction` to
/// calibration, the rest to training. The split depends only on ids, so adding a new source or new
/// items to a source never moves an existing item between parts (except within its own source's
/// cut points), and it is the same on every machine.
public struct DataSplit: Sendable, Hashable, Codable {
    public var validationFraction: Double
    public var calibrationFraction: Double
    public var salt: String

    /// Sources whose items come in groups that must stay in one part, and the `orig_labels` fields that name
    /// the group (the first field present wins). Translations of one source text, or injections of one attack
    /// string, split across train and validation would measure memory, not generalisation.
    public var groupFields: [String: [String]]

    public static let standard = DataSplit(validationFraction: 0.10, calibrationFraction: 0.05, salt: "warden-split-v2")

    /// The group fields of the shared data: RTP-LX translations share `rtplx_index`, MultiJail's Italian and Thai
    /// copies share `multijail_id`, CyberSecEval's machine translations share `prompt_id`, BIPIA is held out by attack
    /// string (its clean items, which have none, by context).
    public static let standardGroupFields: [String: [String]] = [
        "rtplx_train": ["rtplx_index"],
        "multijail": ["multijail_id"],
        "cse_pi_multilingual": ["prompt_id"],
        "cse_frr_multilingual": ["prompt_id"],
        "bipia_train": ["attack", "context_index"],
        "warden_contrast": ["template", "pair"],
    ]

    public init(
        validationFraction: Double, calibrationFraction: Double, salt: String,
        groupFields: [String: [String]] = DataSplit.standardGroupFields
    ) {
        self.validationFraction = validationFraction
        self.calibrationFraction = calibrationFraction
        self.salt = salt
        self.groupFields = groupFields
    }

    /// What the split orders by: the item's id, or its group's name for grouped sources (so a group's items
    /// sit next to each other in the order and fall into one part, apart from a group straddling a cut point).
    public func splitKey(of example: LabelledExample) -> String {
        guard let fields = groupFields[example.source], let labels = example.origLabels else { return example.id }
        for field in fields {
            guard let value = labels[field] else { continue }
            switch value {
            case .string(let text): return "group:\(field)=\(text)"
            case .integer(let number): return "group:\(field)=\(number)"
            case .number(let number): return "group:\(field)=\(number)"
            default: continue
            }
        }
        return example.id
    }

    /// Splits examples into the three parts; order within a part is the input order.
    public func split(_ examples: [LabelledExample]) -> [SplitPart: [LabelledExample]] {
        var parts = assignments(examples)
        var result: [SplitPart: [LabelledExample]] = [.train: [], .calibration: [], .validation: []]
        for (index, example) in examples.enumerated() {
            result[parts.removeValue(forKey: index) ?? .train, default: []].append(example)
        }
        return result
    }

    /// The part of each example, by index into `examples`.
    public func assignments(_ examples: [LabelledExample]) -> [Int: SplitPart] {
        var bySource: [String: [Int]] = [:]
        for (index, example) in examples.enumerated() { bySource[example.source, default: []].append(index) }
        var parts: [Int: SplitPart] = [:]
        for (_, indices) in bySource {
            let keys = indices.map { (index: $0, key: splitKey(of: examples[$0])) }
            let ordered = keys.sorted { lhs, rhs in
                let l = Self.fnv1a("\(salt):\(lhs.key)")
                let r = Self.fnv1a("\(salt):\(rhs.key)")
                if l != r { return l < r }
                return lhs.key == rhs.key ? examples[lhs.index].id < examples[rhs.index].id : lhs.key < rhs.key
            }
            let validationCount = Int((Double(ordered.count) * validationFraction).rounded())
            let calibrationCount = Int((Double(ordered.count) * calibrationFraction).rounded())
            // A group takes the part of its first item, so a cut point never divides it.
            var groupPart: [String: SplitPart] = [:]
            for (rank, entry) in ordered.enumerated() {
                let part = rank < validationCount ? SplitPart.validation
                    : rank < validationCount + calibrationCount ? .calibration : .train
                parts[entry.index] = entry.key == examples[entry.index].id ? part : groupPart[entry.key, default: part]
                if entry.key != examples[entry.index].id, groupPart[entry.key] == nil { groupPart[entry.key] = part }
            }
        }
        return parts
    }

    /// 64-bit FNV-1a over the UTF-8 bytes, then MurmurHash3's 64-bit finaliser: stable across runs
    /// and platforms, unlike `Hasher`.
    ///
    /// The finaliser matters: plain FNV-1a barely changes its high bits when only the last characters
    /// differ, so ordering ids like `src-17`, `src-18` by it keeps them in runs, and a source whose
    /// file is sorted (by label or by text) would put whole runs of one kind in one part.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
