import Testing
@testable import WardenTensor
import WardenTesting

@Suite("GEMM")
struct GEMMTests {
    let a = Matrix([[1, 2, 3], [4, 5, 6]])  // 2×3
    let b = Matrix([[7, 8], [9, 10], [11, 12]])  // 3×2

    @Test("plain product matches the hand-computed result")
    func product() {
        // [1 2 3]·[7 9 11]ᵀ = 58, [1 2 3]·[8 10 12]ᵀ = 64, [4 5 6]·… = 139, 154
        #expect(Matrix.product(a, b) == Matrix([[58, 64], [139, 154]]))
    }

    @Test("transposed operands give the same product")
    func transposes() {
        let expected = Matrix([[58, 64], [139, 154]])
        #expect(Matrix.product(a.transposed(), transposeA: true, b) == expected)
        #expect(Matrix.product(a, b.transposed(), transposeB: true) == expected)
        #expect(Matrix.product(a.transposed(), transposeA: true, b.transposed(), transposeB: true) == expected)
    }

    @Test("alpha scales and beta = 1 accumulates into the output")
    func alphaBeta() {
        var c = Matrix([[1, 1], [1, 1]])
        c.gemm(a, b, alpha: 2, beta: 1)
        #expect(c == Matrix([[117, 129], [279, 309]]))
        c.gemm(a, b, alpha: 1, beta: 0)
        #expect(c == Matrix([[58, 64], [139, 154]]))
    }

    @Test("strided views multiply one column block of a wider matrix (an attention head)")
    func stridedBlocks() {
        // qkv holds two "heads" of width 2 side by side; multiply head 1 by its own transpose.
        let qkv = Matrix([[1, 2, 3, 4], [5, 6, 7, 8]])
        var out = Matrix(rows: 2, columns: 2)
        qkv.withView { q in
            out.withMutableView { o in
                BLAS.gemm(q.columns(2..<4), q.columns(2..<4), transposeB: true, into: o)
            }
        }
        #expect(out == Matrix([[25, 53], [53, 113]]))
    }

    @Test("short-sequence products cut into column blocks equal the plain product, into strided outputs")
    func blockedSmallProducts() {
        var rng = SeededGenerator(seed: 11)
        // 32 rows x 384 inner: OpenBLAS's unpacked limit (10^6) allows 81 columns, so 80-column blocks.
        let (m, k, n) = (32, 384, 300)
        let a = randomMatrix(m, k, using: &rng)
        let wide = randomMatrix(k, n + 20, using: &rng)  // b is a column window of a wider matrix
        var out = Matrix(rows: m, columns: n + 7, repeating: -1)
        a.withView { av in
            wide.withView { bv in
                out.withMutableView { ov in BLAS.gemm(av, bv.columns(10..<(10 + n)), into: ov.columns(3..<(3 + n)), alpha: 0.5) }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[i, p]) * Double(wide[p, j + 10]) }
                #expect(abs(Double(out[i, j + 3]) - 0.5 * sum) < 1e-3, "(\(i), \(j))")
            }
            // Columns outside the output window are untouched.
            #expect(out[i, 0] == -1 && out[i, 2] == -1 && out[i, n + 3] == -1 && out[i, n + 6] == -1)
        }
        if BLAS.hasSmallMatrixKernels {
            #expect(BLAS.smallProductBlock(rows: 32, columns: 1152, inner: 384) == 80)
            #expect(BLAS.smallProductBlock(rows: 32, columns: 384, inner: 1536) == 16)
        }
        #expect(BLAS.smallProductBlock(rows: 128, columns: 1152, inner: 384) == 1152)  // long inputs: one call
        #expect(BLAS.smallProductBlock(rows: 8, columns: 64, inner: 384) == 64)  // small enough already
    }

    @Test("empty inner dimension writes beta·C")
    func emptyInner() {
        var c = Matrix([[3, 3]])
        c.gemm(Matrix(rows: 1, columns: 0), Matrix(rows: 0, columns: 2), beta: 0)
        #expect(c == Matrix([[0, 0]]))
    }

    @Test(
        "backward matches finite differences for every transpose combination",
        arguments: [(false, false), (false, true), (true, false), (true, true)])
    func backward(transposeA: Bool, transposeB: Bool) {
        var rng = SeededGenerator(seed: 7)
        let (m, k, n) = (3, 4, 5)
        let a = randomMatrix(transposeA ? k : m, transposeA ? m : k, using: &rng)
        let b = randomMatrix(transposeB ? n : k, transposeB ? k : n, using: &rng)
        let weights = randomMatrix(m, n, using: &rng)
        let alpha: Float = 0.5
        func loss(_ a: Matrix, _ b: Matrix) -> Double {
            weightedSum(Matrix.product(a, transposeA: transposeA, b, transposeB: transposeB, alpha: alpha).storage, weights.storage)
        }
        // Start from non-zero gradients to check that accumulate adds.
        var dA = Matrix(rows: a.rows, columns: a.columns, repeating: 1)
        var dB = Matrix(rows: b.rows, columns: b.columns, repeating: 1)
        a.withView { av in
            b.withView { bv in
                weights.withView { dC in
                    dA.withMutableView { dAv in
                        dB.withMutableView { dBv in
                            BLAS.gemmBackward(
                                av, transposeA: transposeA, bv, transposeB: transposeB, outputGradient: dC, alpha: alpha,
                                aGradient: dAv, bGradient: dBv, accumulate: true)
                        }
                    }
                }
            }
        }
        let numericA = numericalGradient(at: a.storage) { loss(Matrix(rows: a.rows, columns: a.columns, storage: $0), b) }
        let numericB = numericalGradient(at: b.storage) { loss(a, Matrix(rows: b.rows, columns: b.columns, storage: $0)) }
        expectClose(dA.storage.map { $0 - 1 }, numericA, atol: 1e-4, "dA")
        expectClose(dB.storage.map { $0 - 1 }, numericB, atol: 1e-4, "dB")
    }

    @Test("thread count can be set and read back")
    func threads() {
        let before = BLAS.threadCount
        BLAS.setThreadCount(1)
        #expect(BLAS.threadCount == 1)
        BLAS.setThreadCount(before)
        #expect(!BLAS.coreName.isEmpty)
    }
}
