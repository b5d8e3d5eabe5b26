import Testing
import WardenTensor

/// Deterministic pseudo-random numbers (SplitMix64) so every test run sees the same inputs.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomMatrix(_ rows: Int, _ columns: Int, scale: Float = 1, using rng: inout SeededGenerator) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in Float.random(in: -scale...scale, using: &rng) })
}

/// Central-difference gradient of a scalar function, evaluated in Double around Float inputs.
func numericalGradient(at x: [Float], step: Float = 1e-2, _ f: ([Float]) -> Double) -> [Float] {
    var gradient = [Float](repeating: 0, count: x.count)
    var probe = x
    for i in x.indices {
        probe[i] = x[i] + step
        let up = f(probe)
        probe[i] = x[i] - step
        let down = f(probe)
        probe[i] = x[i]
        gradient[i] = Float((up - down) / (2 * Double(step)))
    }
    return gradient
}

/// `Σ weights ⊙ values` in Double: a scalar loss whose gradient with respect to `values` is `weights`.
func weightedSum(_ values: [Float], _ weights: [Float]) -> Double {
    zip(values, weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}
