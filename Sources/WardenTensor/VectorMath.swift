/// Sixteen-lane fp32 helpers for the elementwise kernels.
///
/// Why not libm: the encoder evaluates `erf` for every FFN activation (6 · 1536 per token) and `exp` for
/// every attention score (6 · 12 · S² per sequence); scalar glibc calls would cost milliseconds per request.
/// These versions are branch-free SIMD, accurate to a few ulp for `exp` and ~1e-7 relative for `erfc`
/// on the range where GELU's output is not negligible (checked against libm in the tests).
///
/// Why 16 lanes: the package builds for baseline x86-64 (SSE2, no FMA), where the long polynomial chains are
/// latency-bound; four independent 4-wide chains per vector keep the FP pipes busy (measured ~1.3× faster
/// than 8 lanes). Why `replace(with:where:)` instead of `clamped`/`pointwiseMax`: the generic versions were not
/// inlined and cost ~10% of a forward pass.
public typealias FloatVector = SIMD16<Float>
/// Integer lanes matching ``FloatVector`` (for exponent bit tricks).
public typealias IntVector = SIMD16<Int32>

@usableFromInline let vectorWidth = 16

@inline(__always) @usableFromInline
func loadVector(_ pointer: UnsafePointer<Float>) -> FloatVector {
    UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
}

@inline(__always) @usableFromInline
func storeVector(_ value: FloatVector, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: FloatVector.self)
}

/// Loads `count < 8` floats into the low lanes, `fill` elsewhere (for row tails).
@inline(__always) @usableFromInline
func loadPartial(_ pointer: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> FloatVector {
    var v = FloatVector(repeating: fill)
    for i in 0..<count { v[i] = pointer[i] }
    return v
}

@inline(__always) @usableFromInline
func storePartial(_ value: FloatVector, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { pointer[i] = value[i] }
}

public enum VectorMath {
    /// `eˣ` lane by lane. Below about −87.3 it returns exactly 0 (so masked softmax entries vanish, as with
    /// HF's `finfo.min` mask); above 88.3 it saturates at about 2¹²⁷.
    ///
    /// Method: `x = n·ln2 + r` with `|r| ≤ ln2/2` (Cody–Waite split of ln2), `eʳ` by its degree-7 Taylor
    /// polynomial (truncation error < 1e-8 relative on that interval), `2ⁿ` assembled in the exponent bits.
    @inline(__always)
    public static func exp(_ x: FloatVector) -> FloatVector {
        let low = FloatVector(repeating: -87.33)
        let high = FloatVector(repeating: 88.3)
        let underflow = x .< low
        var xc = x
        xc.replace(with: low, where: underflow)
        xc.replace(with: high, where: xc .> high)
        // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer and leaves that integer in the low mantissa bits.
        let roundingMagic = FloatVector(repeating: 12_582_912)
        let shifted = xc * FloatVector(repeating: 1.442_695_04) + roundingMagic
        let n = shifted - roundingMagic
        let r = xc - n * FloatVector(repeating: 0.693_359_375) - n * FloatVector(repeating: -2.121_944_4e-4)
        var p = FloatVector(repeating: 1.0 / 5040)
        p = p * r + FloatVector(repeating: 1.0 / 720)
        p = p * r + FloatVector(repeating: 1.0 / 120)
        p = p * r + FloatVector(repeating: 1.0 / 24)
        p = p * r + FloatVector(repeating: 1.0 / 6)
        p = p * r + FloatVector(repeating: 0.5)
        p = p * r + FloatVector(repeating: 1)
        p = p * r + FloatVector(repeating: 1)
        let exponent = unsafeBitCast(shifted, to: IntVector.self) &- IntVector(repeating: 0x4B40_0000)
        let twoToN = unsafeBitCast((exponent &+ IntVector(repeating: 127)) &<< IntVector(repeating: 23), to: FloatVector.self)
        var result = p * twoToN
        result.replace(with: 0, where: underflow)
        return result
    }

    /// The complementary error function `erfc(z) = 1 − erf(z)`, lane by lane, for any sign of `z`.
    ///
    /// Uses the Chebyshev-fitted form `erfc(z) ≈ t·exp(−z² + P(t))`, `t = 1/(1 + z/2)` for `z ≥ 0` (Press et al.,
    /// *Numerical Recipes*, §6.2 "erfcc", fractional error < 1.2e-7), and `erfc(−z) = 2 − erfc(z)`.
    @inline(__always)
    public static func erfc(_ z: FloatVector) -> FloatVector {
        var a = z
        a.replace(with: -z, where: z .< 0)
        let t = 1 / (1 + 0.5 * a)
        var p = FloatVector(repeating: 0.170_872_77)
        p = p * t + FloatVector(repeating: -0.822_152_23)
        p = p * t + FloatVector(repeating: 1.488_515_87)
        p = p * t + FloatVector(repeating: -1.135_203_98)
        p = p * t + FloatVector(repeating: 0.278_868_07)
        p = p * t + FloatVector(repeating: -0.186_288_06)
        p = p * t + FloatVector(repeating: 0.096_784_18)
        p = p * t + FloatVector(repeating: 0.374_091_96)
        p = p * t + FloatVector(repeating: 1.000_023_68)
        p = p * t + FloatVector(repeating: -1.265_512_23)
        let positive = t * exp(p - a * a)
        var result = positive
        result.replace(with: FloatVector(repeating: 2) - positive, where: z .< 0)
        return result
    }

    /// The standard normal CDF `Φ(x) = ½·erfc(−x/√2)`, i.e. `½(1 + erf(x/√2))`.
    @inline(__always)
    public static func normalCDF(_ x: FloatVector) -> FloatVector {
        0.5 * erfc(x * FloatVector(repeating: -0.707_106_781_186_547_5))
    }

    /// Horizontal sum of the lanes.
    @inline(__always)
    public static func sum(_ v: FloatVector) -> Float {
        let h8 = v.lowHalf + v.highHalf
        let h = h8.lowHalf + h8.highHalf
        return (h[0] + h[2]) + (h[1] + h[3])
    }

    /// Horizontal maximum of the lanes.
    @inline(__always)
    public static func max(_ v: FloatVector) -> Float {
        var result = v[0]
        for i in 1..<v.scalarCount { result = Swift.max(result, v[i]) }
        return result
    }

    /// Lane-wise maximum (inlined; the generic `pointwiseMax` is not).
    @inline(__always)
    public static func maximum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        var result = a
        result.replace(with: b, where: b .> a)
        return result
    }
}
