/// A borrowed, read-only, row-major block of floats: `rows × columns` elements, rows `stride` apart.
///
/// Views are how kernels address sub-blocks without copying (one head's 32 columns inside a `T × 1152` QKV
/// buffer has `stride` 1152). A view does not own its memory: it is only valid inside the
/// `withView`/`withUnsafeBufferPointer` closure that produced it. It is `@unchecked Sendable` so that
/// ``Parallel`` can hand disjoint blocks of one buffer to two workers; keeping writes disjoint is the
/// caller's job.
public struct MatrixView: @unchecked Sendable {
    public let base: UnsafePointer<Float>
    public let rows: Int
    public let columns: Int
    /// Distance in elements between the starts of consecutive rows (`>= columns`).
    public let stride: Int

    public init(base: UnsafePointer<Float>, rows: Int, columns: Int, stride: Int) {
        precondition(rows >= 0 && columns >= 0 && stride >= max(columns, 1), "Bad view \(rows)x\(columns) stride \(stride)")
        self.base = base
        self.rows = rows
        self.columns = columns
        self.stride = stride
    }

    /// Start of row `r`.
    @inline(__always)
    public func row(_ r: Int) -> UnsafePointer<Float> { base + r * stride }

    public subscript(row: Int, column: Int) -> Float { base[row * stride + column] }

    /// Rows `range`, all columns.
    public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Rows \(range) out of 0..<\(rows)")
        return MatrixView(base: base + range.lowerBound * stride, rows: range.count, columns: columns, stride: stride)
    }

    /// Columns `range`, all rows (same stride).
    public func columns(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns, "Columns \(range) out of 0..<\(columns)")
        return MatrixView(base: base + range.lowerBound, rows: rows, columns: range.count, stride: stride)
    }

    /// A copy as an owned matrix.
    public func toMatrix() -> Matrix {
        var out = [Float](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { out[r * columns + c] = base[r * stride + c] }
        }
        return Matrix(rows: rows, columns: columns, storage: out)
    }
}

/// A borrowed, writable, row-major block of floats. See ``MatrixView`` for the lifetime rules.
public struct MutableMatrixView: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let columns: Int
    public let stride: Int

    public init(base: UnsafeMutablePointer<Float>, rows: Int, columns: Int, stride: Int) {
        precondition(rows >= 0 && columns >= 0 && stride >= max(columns, 1), "Bad view \(rows)x\(columns) stride \(stride)")
        self.base = base
        self.rows = rows
        self.columns = columns
        self.stride = stride
    }

    @inline(__always)
    public func row(_ r: Int) -> UnsafeMutablePointer<Float> { base + r * stride }

    public subscript(row: Int, column: Int) -> Float {
        get { base[row * stride + column] }
        nonmutating set { base[row * stride + column] = newValue }
    }

    /// The same block, read-only.
    public var readOnly: MatrixView {
        MatrixView(base: UnsafePointer(base), rows: rows, columns: columns, stride: stride)
    }

    public func rows(_ range: Range<Int>) -> MutableMatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Rows \(range) out of 0..<\(rows)")
        return MutableMatrixView(base: base + range.lowerBound * stride, rows: range.count, columns: columns, stride: stride)
    }

    public func columns(_ range: Range<Int>) -> MutableMatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns, "Columns \(range) out of 0..<\(columns)")
        return MutableMatrixView(base: base + range.lowerBound, rows: rows, columns: range.count, stride: stride)
    }

    /// Sets every element of the block to `value`.
    public func fill(_ value: Float) {
        for r in 0..<rows { row(r).update(repeating: value, count: columns) }
    }

    /// Copies `source` (same shape) into this block.
    public func copy(from source: MatrixView) {
        precondition(source.rows == rows && source.columns == columns, "Shape mismatch in copy")
        for r in 0..<rows { row(r).update(from: source.row(r), count: columns) }
    }
}

/// A borrowed vector (a bias, a LayerNorm gain) for kernels; same lifetime rules as ``MatrixView``.
public typealias VectorView = UnsafeBufferPointer<Float>
