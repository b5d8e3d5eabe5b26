extension BLAS {
    /// Backward pass of `c = alpha · op(a) · op(b)`: given `dC`, writes (or accumulates) `dA` and `dB`.
    ///
    /// - Parameters:
    ///   - a, b, transposeA, transposeB, alpha: the forward operands exactly as passed to ``gemm(_:transposeA:_:transposeB:into:alpha:beta:)``.
    ///   - outputGradient: `dC`, shaped like the forward output.
    ///   - aGradient: receives `dA` (shaped like `a`), or `nil` to skip it (e.g. the input of the first layer).
    ///   - bGradient: receives `dB` (shaped like `b`), or `nil` (e.g. frozen weights).
    ///   - accumulate: add into the gradients (`beta = 1`) instead of overwriting them; the trainer accumulates
    ///     weight gradients over chunks of a batch.
    ///
    /// For a linear layer `y = x · Wᵀ` (`transposeB: true`) this gives `dx = dy · W` and `dW = dyᵀ · x`.
    public static func gemmBackward(
        _ a: MatrixView, transposeA: Bool = false,
        _ b: MatrixView, transposeB: Bool = false,
        outputGradient dC: MatrixView, alpha: Float = 1,
        aGradient: MutableMatrixView?, bGradient: MutableMatrixView?,
        accumulate: Bool = false
    ) {
        let beta: Float = accumulate ? 1 : 0
        if let dA = aGradient {
            precondition(dA.rows == a.rows && dA.columns == a.columns, "gemmBackward: dA must be shaped like A")
            if transposeA {
                // C = Aᵀ·op(B)  ⇒  dA = op(B) · dCᵀ
                gemm(b, transposeA: transposeB, dC, transposeB: true, into: dA, alpha: alpha, beta: beta)
            } else {
                // C = A·op(B)  ⇒  dA = dC · op(B)ᵀ
                gemm(dC, transposeA: false, b, transposeB: !transposeB, into: dA, alpha: alpha, beta: beta)
            }
        }
        if let dB = bGradient {
            precondition(dB.rows == b.rows && dB.columns == b.columns, "gemmBackward: dB must be shaped like B")
            if transposeB {
                // C = op(A)·Bᵀ  ⇒  dB = dCᵀ · op(A)
                gemm(dC, transposeA: true, a, transposeB: transposeA, into: dB, alpha: alpha, beta: beta)
            } else {
                // C = op(A)·B  ⇒  dB = op(A)ᵀ · dC
                gemm(a, transposeA: !transposeA, dC, transposeB: false, into: dB, alpha: alpha, beta: beta)
            }
        }
    }
}
