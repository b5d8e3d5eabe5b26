import Foundation

/// Small row-wise kernels: bias add, bias gradient, sigmoid, L2 normalisation.
public enum Elementwise {
    /// `block[r, :] += bias` for every row.
    public static func addBias(_ bias: UnsafePointer<Float>, to block: MutableMatrixView) {
        let n = block.columns
        for r in 0..<block.rows {
            let y = block.row(r)
            var j = 0
            while j + vectorWidth <= n {
                storeVector(loadVector(y + j) + loadVector(bias + j), y + j)
                j += vectorWidth
            }
            while j < n {
                y[j] += bias[j]
                j += 1
            }
        }
    }

    /// Adds the column sums of `gradient` to `biasGradient` (the backward pass of ``addBias(_:to:)``).
    public static func accumulateColumnSums(of gradient: MatrixView, into biasGradient: UnsafeMutablePointer<Float>) {
        let n = gradient.columns
        for r in 0..<gradient.rows {
            let g = gradient.row(r)
            var j = 0
            while j + vectorWidth <= n {
                storeVector(loadVector(biasGradient + j) + loadVector(g + j), biasGradient + j)
                j += vectorWidth
            }
            while j < n {
                biasGradient[j] += g[j]
                j += 1
            }
        }
    }

    /// `y = 1 / (1 + e⁻ˣ)`, numerically stable for large |x|.
    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// Sigmoid of every element of `input` into `output` (may be the same block).
    public static func sigmoid(_ input: MatrixView, into output: MutableMatrixView) {
        precondition(input.rows == output.rows && input.columns == output.columns, "sigmoid: shape mismatch")
        for r in 0..<input.rows {
            let x = input.row(r)
            let y = output.row(r)
            for j in 0..<input.columns { y[j] = sigmoid(x[j]) }
        }
    }

    /// Backward of sigmoid from its output: `dx = dy · y · (1 − y)`.
    public static func sigmoidBackward(
        output: MatrixView, outputGradient: MatrixView, into inputGradient: MutableMatrixView, accumulate: Bool = false
    ) {
        precondition(
            output.rows == outputGradient.rows && output.columns == outputGradient.columns
                && inputGradient.rows == output.rows && inputGradient.columns == output.columns,
            "sigmoid backward: shape mismatch")
        for r in 0..<output.rows {
            let y = output.row(r)
            let dy = outputGradient.row(r)
            let dx = inputGradient.row(r)
            for j in 0..<output.columns {
                let d = dy[j] * y[j] * (1 - y[j])
                dx[j] = accumulate ? dx[j] + d : d
            }
        }
    }

    /// Scales each row of `input` to unit L2 norm into `output` (may be the same block):
    /// `y = x / max(‖x‖₂, minimumNorm)`, as `torch.nn.functional.normalize` (eps 1e-12).
    public static func l2Normalize(_ input: MatrixView, into output: MutableMatrixView, minimumNorm: Float = 1e-12) {
        precondition(input.rows == output.rows && input.columns == output.columns, "l2Normalize: shape mismatch")
        for r in 0..<input.rows {
            let x = input.row(r)
            let y = output.row(r)
            let scale = 1 / max(norm(x, count: input.columns), minimumNorm)
            for j in 0..<input.columns { y[j] = x[j] * scale }
        }
    }

    /// Backward of ``l2Normalize(_:into:minimumNorm:)``: `dx = (dy − y·(y·dy)) / ‖x‖` (when `‖x‖ > minimumNorm`).
    public static func l2NormalizeBackward(
        input: MatrixView, outputGradient: MatrixView, into inputGradient: MutableMatrixView,
        minimumNorm: Float = 1e-12, accumulate: Bool = false
    ) {
        precondition(
            input.rows == outputGradient.rows && input.columns == outputGradient.columns
                && inputGradient.rows == input.rows && inputGradient.columns == input.columns,
            "l2Normalize backward: shape mismatch")
        let n = input.columns
        for r in 0..<input.rows {
            let x = input.row(r)
            let dy = outputGradient.row(r)
            let dx = inputGradient.row(r)
            let length = norm(x, count: n)
            if length <= minimumNorm {
                // Below the clamp the forward is y = x / minimumNorm, a plain scaling.
                for j in 0..<n { dx[j] = (accumulate ? dx[j] : 0) + dy[j] / minimumNorm }
                continue
            }
            let inverse = 1 / length
            var dot: Float = 0
            for j in 0..<n { dot += x[j] * inverse * dy[j] }
            for j in 0..<n {
                let d = (dy[j] - x[j] * inverse * dot) * inverse
                dx[j] = accumulate ? dx[j] + d : d
            }
        }
    }

    /// Euclidean norm of `count` floats.
    public static func norm(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var acc = FloatVector()
        var j = 0
        while j + vectorWidth <= n {
            let v = loadVector(x + j)
            acc += v * v
            j += vectorWidth
        }
        var total = VectorMath.sum(acc)
        while j < n {
            total += x[j] * x[j]
            j += 1
        }
        return total.squareRoot()
    }
}
