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

    public static let standard = DataSplit(validationFraction: 0.10, calibrationFraction: 0.05, salt: "warden-split-v2")

    public init(validationFraction: Double, calibrationFraction: Double, salt: String) {
        self.validationFraction = validationFraction
        self.calibrationFraction = calibrationFraction
        self.salt = salt
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
            let ordered = indices.sorted { lhs, rhs in
                let l = Self.fnv1a("\(salt):\(examples[lhs].id)")
                let r = Self.fnv1a("\(salt):\(examples[rhs].id)")
                return l == r ? examples[lhs].id < examples[rhs].id : l < r
            }
            let validationCount = Int((Double(ordered.count) * validationFraction).rounded())
            let calibrationCount = Int((Double(ordered.count) * calibrationFraction).rounded())
            for (rank, index) in ordered.enumerated() {
                parts[index] = rank < validationCount ? .validation
                    : rank < validationCount + calibrationCount ? .calibration : .train
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
