/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast generator whose output depends only on the
/// seed, so bootstrap intervals are identical on every machine and every run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound (bound > 0), without modulo bias (Lemire 2019).
    ///
    /// Written out rather than using `Int.random(in:using:)` so the sequence cannot change with the
    /// standard library's implementation.
    public mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = range.multipliedFullWidth(by: next())
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = range.multipliedFullWidth(by: next()) }
        }
        return Int(product.high)
    }

    /// Uniform in [0, 1) with 24 bits, the precision of a `Float`.
    public mutating func nextUniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
