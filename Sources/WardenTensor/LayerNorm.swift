/// Row-wise layer normalisation, `y = (x − μ) / √(σ² + ε) · γ + β`, with the biased variance (as PyTorch).
public enum LayerNorm {
    /// Normalises each row of `input` into `output` (which may be the same block).
    ///
    /// - Parameters:
    ///   - gamma, beta: `input.columns` gains and offsets.
    ///   - epsilon: added to the variance; BERT's `layer_norm_eps` (1e-12 for MiniLM).
    ///   - mean, inverseStandardDeviation: if given, receive `μ` and `1/√(σ² + ε)` per row (`input.rows`
    ///     floats each) for ``backward(input:mean:inverseStandardDeviation:gamma:outputGradient:into:gammaGradient:betaGradient:accumulate:)``.
    public static func forward(
        _ input: MatrixView, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
        into output: MutableMatrixView,
        mean: UnsafeMutablePointer<Float>? = nil, inverseStandardDeviation: UnsafeMutablePointer<Float>? = nil
    ) {
        precondition(input.rows == output.rows && input.columns == output.columns, "LayerNorm: shape mismatch")
        for r in 0..<input.rows {
            let (mu, rstd) = normalizeRow(input.row(r), count: input.columns, gamma: gamma, beta: beta, epsilon: epsilon, output: output.row(r))
            mean?[r] = mu
            inverseStandardDeviation?[r] = rstd
        }
    }

    /// The post-LN residual step of a BERT layer: `output = LN(projection + bias + residual)`; `bias` is `nil` when
    /// the projection already includes it (training dropout masks `projection + bias` before the residual sum).
    ///
    /// `projection` is overwritten with the pre-norm sum `projection + bias + residual` (the training pass keeps it
    /// as the LayerNorm input). `output` may be the same block as `residual` (the inference pass updates the
    /// hidden state in place), because each row is read completely before it is written.
    public static func residualForward(
        projection: MutableMatrixView, bias: UnsafePointer<Float>?, residual: MatrixView,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
        into output: MutableMatrixView,
        mean: UnsafeMutablePointer<Float>? = nil, inverseStandardDeviation: UnsafeMutablePointer<Float>? = nil
    ) {
        precondition(
            projection.rows == residual.rows && projection.columns == residual.columns
                && output.rows == residual.rows && output.columns == residual.columns,
            "LayerNorm residual: shape mismatch")
        let n = projection.columns
        for r in 0..<projection.rows {
            let p = projection.row(r)
            let x = residual.row(r)
            var j = 0
            if let bias {
                while j + vectorWidth <= n {
                    storeVector(loadVector(p + j) + loadVector(bias + j) + loadVector(x + j), p + j)
                    j += vectorWidth
                }
                while j < n {
                    p[j] = p[j] + bias[j] + x[j]
                    j += 1
                }
            } else {
                while j + vectorWidth <= n {
                    storeVector(loadVector(p + j) + loadVector(x + j), p + j)
                    j += vectorWidth
                }
                while j < n {
                    p[j] = p[j] + x[j]
                    j += 1
                }
            }
            let (mu, rstd) = normalizeRow(UnsafePointer(p), count: n, gamma: gamma, beta: beta, epsilon: epsilon, output: output.row(r))
            mean?[r] = mu
            inverseStandardDeviation?[r] = rstd
        }
    }

    /// Backward pass: `dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂))` with `g = dy ⊙ γ` and `x̂ = (x − μ)·rstd`.
    ///
    /// - Parameters:
    ///   - input: the forward input `x`; `mean` and `inverseStandardDeviation` as saved by the forward pass.
    ///   - gammaGradient, betaGradient: if given, `Σ_rows dy ⊙ x̂` and `Σ_rows dy` are **added** to them (the
    ///     trainer zeroes them once per step and accumulates over chunks).
    ///   - accumulate: add into `inputGradient` instead of overwriting it.
    public static func backward(
        input: MatrixView, mean: UnsafePointer<Float>, inverseStandardDeviation: UnsafePointer<Float>,
        gamma: UnsafePointer<Float>, outputGradient: MatrixView, into inputGradient: MutableMatrixView,
        gammaGradient: UnsafeMutablePointer<Float>? = nil, betaGradient: UnsafeMutablePointer<Float>? = nil,
        accumulate: Bool = false
    ) {
        precondition(
            input.rows == outputGradient.rows && input.columns == outputGradient.columns
                && inputGradient.rows == input.rows && inputGradient.columns == input.columns,
            "LayerNorm backward: shape mismatch")
        let n = input.columns
        let inverseN = 1 / Float(n)
        for r in 0..<input.rows {
            let x = input.row(r)
            let dy = outputGradient.row(r)
            let dx = inputGradient.row(r)
            let mu = mean[r]
            let rstd = inverseStandardDeviation[r]
            var sumG: Float = 0
            var sumGX: Float = 0
            for j in 0..<n {
                let xHat = (x[j] - mu) * rstd
                let g = dy[j] * gamma[j]
                sumG += g
                sumGX += g * xHat
                gammaGradient?[j] += dy[j] * xHat
                betaGradient?[j] += dy[j]
            }
            let meanG = sumG * inverseN
            let meanGX = sumGX * inverseN
            for j in 0..<n {
                let xHat = (x[j] - mu) * rstd
                let d = rstd * (dy[j] * gamma[j] - meanG - xHat * meanGX)
                dx[j] = accumulate ? dx[j] + d : d
            }
        }
    }

    /// Normalises one row; returns `(μ, 1/√(σ² + ε))`.
    @inline(__always)
    private static func normalizeRow(
        _ x: UnsafePointer<Float>, count n: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        epsilon: Float, output y: UnsafeMutablePointer<Float>
    ) -> (Float, Float) {
        let full = n - n % vectorWidth
        var acc = FloatVector()
        var j = 0
        while j < full {
            acc += loadVector(x + j)
            j += vectorWidth
        }
        var total = VectorMath.sum(acc)
        while j < n {
            total += x[j]
            j += 1
        }
        let mu = total / Float(n)
        // Two-pass variance: exact enough in fp32 even when |μ| ≫ σ.
        let muV = FloatVector(repeating: mu)
        var accSq = FloatVector()
        j = 0
        while j < full {
            let d = loadVector(x + j) - muV
            accSq += d * d
            j += vectorWidth
        }
        var squares = VectorMath.sum(accSq)
        while j < n {
            let d = x[j] - mu
            squares += d * d
            j += 1
        }
        let rstd = 1 / (squares / Float(n) + epsilon).squareRoot()
        let rstdV = FloatVector(repeating: rstd)
        j = 0
        while j < full {
            storeVector((loadVector(x + j) - muV) * rstdV * loadVector(gamma + j) + loadVector(beta + j), y + j)
            j += vectorWidth
        }
        while j < n {
            y[j] = (x[j] - mu) * rstd * gamma[j] + beta[j]
            j += 1
        }
        return (mu, rstd)
    }
}
