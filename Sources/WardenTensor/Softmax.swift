/// Row-wise softmax over attention scores, with an optional key mask.
public enum Softmax {
    /// Replaces each row of `scores` by its softmax.
    ///
    /// - Parameter keyMask: `scores.columns` flags; a key whose flag is `false` gets probability exactly 0.
    ///   This matches HF BERT, which adds `finfo(float32).min` to masked scores; as there, a row whose keys are
    ///   all masked comes out uniform.
    public static func forward(_ scores: MutableMatrixView, keyMask: UnsafePointer<Bool>? = nil) {
        let n = scores.columns
        let full = n - n % vectorWidth
        for r in 0..<scores.rows {
            let x = scores.row(r)
            if let keyMask {
                for j in 0..<n where !keyMask[j] { x[j] = -Float.greatestFiniteMagnitude }
            }
            var maxV = FloatVector(repeating: -Float.greatestFiniteMagnitude)
            var j = 0
            while j < full {
                maxV = VectorMath.maximum(maxV, loadVector(x + j))
                j += vectorWidth
            }
            var rowMax = VectorMath.max(maxV)
            while j < n {
                rowMax = max(rowMax, x[j])
                j += 1
            }
            let maxSplat = FloatVector(repeating: rowMax)
            var sumV = FloatVector()
            j = 0
            while j < full {
                let e = VectorMath.exp(loadVector(x + j) - maxSplat)
                storeVector(e, x + j)
                sumV += e
                j += vectorWidth
            }
            var total = VectorMath.sum(sumV)
            if j < n {
                let count = n - j
                let e = VectorMath.exp(loadPartial(x + j, count, fill: rowMax) - maxSplat)
                storePartial(e, x + j, count)
                for i in 0..<count { total += e[i] }
            }
            let scale = FloatVector(repeating: 1 / total)
            j = 0
            while j < full {
                storeVector(loadVector(x + j) * scale, x + j)
                j += vectorWidth
            }
            while j < n {
                x[j] *= scale[0]
                j += 1
            }
        }
    }

    /// Backward pass: `dx = y ⊙ (dy − Σⱼ dyⱼ·yⱼ)` per row, where `y` is the forward output.
    ///
    /// Masked keys have `y = 0` and so get zero gradient. `accumulate` adds into `inputGradient`.
    public static func backward(
        output: MatrixView, outputGradient: MatrixView, into inputGradient: MutableMatrixView,
        accumulate: Bool = false
    ) {
        precondition(
            output.rows == outputGradient.rows && output.columns == outputGradient.columns
                && inputGradient.rows == output.rows && inputGradient.columns == output.columns,
            "Softmax backward: shape mismatch")
        let n = output.columns
        for r in 0..<output.rows {
            let y = output.row(r)
            let dy = outputGradient.row(r)
            let dx = inputGradient.row(r)
            var dot: Float = 0
            for j in 0..<n { dot += dy[j] * y[j] }
            for j in 0..<n {
                let d = y[j] * (dy[j] - dot)
                dx[j] = accumulate ? dx[j] + d : d
            }
        }
    }
}
