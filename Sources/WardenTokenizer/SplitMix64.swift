import WardenCore

extension SplitMix64 {
    /// True with probability `rate` (clamped to 0…1).
    mutating func chance(_ rate: Double) -> Bool {
        rate > 0 && Double(next() >> 11) * 0x1.0p-53 < rate
    }
}
