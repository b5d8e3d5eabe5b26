/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so augmentation is reproducible
/// on every platform; `SystemRandomNumberGenerator` cannot be seeded.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `rate` (clamped to 0…1).
    mutating func chance(_ rate: Double) -> Bool {
        rate > 0 && Double(next() >> 11) * 0x1.0p-53 < rate
    }
}
