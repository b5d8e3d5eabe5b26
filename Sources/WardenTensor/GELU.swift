/// The exact (erf-based) GELU, `gelu(x) = x · Φ(x) = ½·x·(1 + erf(x/√2))`, as BERT's `"hidden_act": "gelu"`.
public enum GELU {
    /// `output = gelu(input + bias)`, row by row. `output` may be the same block as `input` (in place).
    ///
    /// - Parameters:
    ///   - bias: added to every row before the activation (the FFN's up-projection bias), or `nil`.
    ///   - preActivation: if given, receives `input + bias` (what ``backward(preActivation:outputGradient:into:accumulate:)`` needs).
    public static func forward(
        _ input: MatrixView, bias: UnsafePointer<Float>? = nil, into output: MutableMatrixView,
        preActivation: MutableMatrixView? = nil
    ) {
        precondition(input.rows == output.rows && input.columns == output.columns, "GELU: shape mismatch")
        let n = input.columns
        for r in 0..<input.rows {
            let x = input.row(r)
            let y = output.row(r)
            let saved = preActivation?.row(r)
            var j = 0
            while j < n {
                let count = min(vectorWidth, n - j)
                var v = count == vectorWidth ? loadVector(x + j) : loadPartial(x + j, count)
                if let bias { v += count == vectorWidth ? loadVector(bias + j) : loadPartial(bias + j, count) }
                let g = v * VectorMath.normalCDF(v)
                if count == vectorWidth {
                    if let saved { storeVector(v, saved + j) }
                    storeVector(g, y + j)
                } else {
                    if let saved { storePartial(v, saved + j, count) }
                    storePartial(g, y + j, count)
                }
                j += vectorWidth
            }
        }
    }

    /// `dx = dy · gelu'(x)` with `gelu'(x) = Φ(x) + x·φ(x)`, `φ` the standard normal density.
    ///
    /// - Parameters:
    ///   - preActivation: the forward input `x` (after the bias).
    ///   - accumulate: add into `inputGradient` instead of overwriting it.
    public static func backward(
        preActivation: MatrixView, outputGradient: MatrixView, into inputGradient: MutableMatrixView,
        accumulate: Bool = false
    ) {
        precondition(
            preActivation.rows == outputGradient.rows && preActivation.columns == outputGradient.columns
                && inputGradient.rows == preActivation.rows && inputGradient.columns == preActivation.columns,
            "GELU backward: shape mismatch")
        let n = preActivation.columns
        let inverseSqrtTwoPi = FloatVector(repeating: 0.398_942_280_401_432_7)
        for r in 0..<preActivation.rows {
            let x = preActivation.row(r)
            let dy = outputGradient.row(r)
            let dx = inputGradient.row(r)
            var j = 0
            while j < n {
                let count = min(vectorWidth, n - j)
                let full = count == vectorWidth
                let v = full ? loadVector(x + j) : loadPartial(x + j, count)
                let g = full ? loadVector(dy + j) : loadPartial(dy + j, count)
                let density = inverseSqrtTwoPi * VectorMath.exp(-0.5 * v * v)
                var d = g * (VectorMath.normalCDF(v) + v * density)
                if accumulate { d += full ? loadVector(dx + j) : loadPartial(dx + j, count) }
                if full { storeVector(d, dx + j) } else { storePartial(d, dx + j, count) }
                j += vectorWidth
            }
        }
    }
}
