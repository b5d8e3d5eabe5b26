import CBLAS

/// The single door to OpenBLAS: fp32 GEMM and thread control.
///
/// Precision: everything is fp32 (`cblas_sgemm`). Debian 12's OpenBLAS 0.3.21 declares `cblas_sbgemm` in its
/// header but the shared library does not export it (checked with `nm -D`), so bf16 weights would need either a
/// newer OpenBLAS or a kernel of our own. The loader already converts BF16/F16 checkpoints to fp32, so a
/// bf16 path can be added here later without touching callers.
///
/// Threads: OpenBLAS's pthread pool is process-wide. On a shared 2-vCPU machine its spinning threads collapse
/// under contention (see BENCHMARKS.md), so Warden defaults to one BLAS thread and parallelises itself
/// (``Parallel``); ``setThreadCount(_:)`` is for benchmarks and idle machines.
public enum BLAS {
    /// `c = alpha · op(a) · op(b) + beta · c`, where `op(x)` is `x` or its transpose.
    ///
    /// With `beta = 1` the product accumulates into `c` (gradient accumulation). Shapes are checked with
    /// `precondition` (a mismatch is a programming error, not bad input).
    public static func gemm(
        _ a: MatrixView, transposeA: Bool = false,
        _ b: MatrixView, transposeB: Bool = false,
        into c: MutableMatrixView, alpha: Float = 1, beta: Float = 0
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kB = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kB, "gemm: inner dimensions differ (\(k) vs \(kB))")
        precondition(c.rows == m && c.columns == n, "gemm: output is \(c.rows)x\(c.columns), expected \(m)x\(n)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS implementations differ on whether they touch C when K = 0; do it explicitly.
            scale(c, by: beta)
            return
        }
        let block = transposeA || transposeB ? n : smallProductBlock(rows: m, columns: n, inner: k)
        var first = 0
        while first < n {
            let width = min(block, n - first)
            cblas_sgemm(
                CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(width), Int32(k), alpha,
                a.base, Int32(a.stride), b.base + (transposeB ? 0 : first), Int32(b.stride), beta, c.base + first,
                Int32(c.stride))
            first += width
        }
    }

    /// Column block width for `[rows, inner] · [inner, columns]` with few rows (a short sequence's activations times
    /// a weight matrix).
    ///
    /// OpenBLAS's general path packs both operands on every call; with 8–48 rows the weight matrix is used so few
    /// times that packing it costs about as much as the multiply. Its Skylake-X family kernels have an unpacked path
    /// for products of at most 10⁶ multiply-adds, so such products are cut into column blocks that qualify:
    /// 1.15–1.8x faster per GEMM at 8–48 rows (measured with one thread, BENCHMARKS.md). Larger products, and cores
    /// without those kernels, keep one call.
    static func smallProductBlock(rows: Int, columns: Int, inner: Int) -> Int {
        guard hasSmallMatrixKernels, rows <= 48, rows * columns * inner > smallProductLimit else { return columns }
        let width = smallProductLimit / (rows * inner) / 16 * 16
        return width >= 16 ? width : columns
    }

    /// OpenBLAS's limit (`sgemm_small_kernel_permit_skylakex.c`) for its unpacked path.
    static let smallProductLimit = 1_000_000

    /// Whether the loaded OpenBLAS kernel family has unpacked small-product SGEMM kernels.
    static let hasSmallMatrixKernels: Bool = {
        ["skylakex", "cooperlake", "sapphirerapids"].contains(coreName.lowercased())
    }()

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets OpenBLAS's (process-wide) thread count. Values below 1 are treated as 1.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The CPU kernel family OpenBLAS picked at load time (e.g. `Cooperlake`), for benchmark reports.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    private static func scale(_ c: MutableMatrixView, by beta: Float) {
        for r in 0..<c.rows {
            let row = c.row(r)
            for j in 0..<c.columns { row[j] = beta == 0 ? 0 : row[j] * beta }
        }
    }
}

extension Matrix {
    /// `op(a) · op(b)` as a new matrix.
    public static func product(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false, alpha: Float = 1
    ) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        c.gemm(a, transposeA: transposeA, b, transposeB: transposeB, alpha: alpha, beta: 0)
        return c
    }

    /// `self = alpha · op(a) · op(b) + beta · self`; `beta = 1` accumulates.
    public mutating func gemm(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) {
        a.withView { av in
            b.withView { bv in
                withMutableView { cv in
                    BLAS.gemm(av, transposeA: transposeA, bv, transposeB: transposeB, into: cv, alpha: alpha, beta: beta)
                }
            }
        }
    }
}
