/// A dense, row-major matrix of `Float`: element `(r, c)` lives at `storage[r * columns + c]`.
///
/// A value type over `[Float]` (copy-on-write), so it is `Sendable` and safe to share. Hot loops do not
/// index it element by element: they borrow a ``MatrixView`` / ``MutableMatrixView`` (raw pointer plus row
/// stride) for the duration of a kernel call, which also lets a kernel address a block of columns, such as
/// one attention head inside the fused QKV output.
public struct Matrix: Sendable, Equatable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    /// Row-major elements; `storage.count == rows * columns`.
    public private(set) var storage: [Float]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative, got \(rows)x\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major elements.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(
            rows >= 0 && columns >= 0 && storage.count == rows * columns,
            "Matrix \(rows)x\(columns) needs \(rows * columns) elements, got \(storage.count)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from nested rows (tests and small hand-written cases).
    public init(_ nestedRows: [[Float]]) {
        let columns = nestedRows.first?.count ?? 0
        precondition(nestedRows.allSatisfy { $0.count == columns }, "All rows must have the same length")
        self.init(rows: nestedRows.count, columns: columns, storage: nestedRows.flatMap { $0 })
    }

    /// The number of elements.
    public var count: Int { storage.count }

    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Index (\(row), \(column)) out of range")
            return storage[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns, "Index (\(row), \(column)) out of range")
            storage[row * columns + column] = newValue
        }
    }

    /// A copy of one row.
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rows, "Row \(index) out of range 0..<\(rows)")
        return Array(storage[index * columns..<(index + 1) * columns])
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "Rows \(range) out of range 0..<\(rows)")
        return Matrix(
            rows: range.count, columns: columns,
            storage: Array(storage[range.lowerBound * columns..<range.upperBound * columns]))
    }

    /// The transpose (allocates; for tests, weight preparation and the backward pass, not per token).
    public func transposed() -> Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns {
                result.storage[c * rows + r] = storage[r * columns + c]
            }
        }
        return result
    }

    /// Changes the shape in place, reusing the allocation when it is large enough.
    ///
    /// Scratch buffers use this to grow to the largest chunk once and then stay allocated; elements are left
    /// unspecified (callers overwrite them).
    public mutating func reshape(rows newRows: Int, columns newColumns: Int) {
        let needed = newRows * newColumns
        if storage.count < needed {
            storage.append(contentsOf: repeatElement(0, count: needed - storage.count))
        } else if storage.count > needed {
            storage.removeLast(storage.count - needed)
        }
        rows = newRows
        columns = newColumns
    }

    /// Sets every element to `value`.
    public mutating func fill(_ value: Float) {
        storage.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    /// Runs `body` with a read-only view of the whole matrix.
    public func withView<R>(_ body: (MatrixView) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { buffer in
            try body(MatrixView(base: buffer.baseAddress ?? emptyBase, rows: rows, columns: columns, stride: max(columns, 1)))
        }
    }

    /// Runs `body` with a writable view of the whole matrix.
    public mutating func withMutableView<R>(_ body: (MutableMatrixView) throws -> R) rethrows -> R {
        let (rows, columns) = (self.rows, self.columns)
        return try storage.withUnsafeMutableBufferPointer { buffer in
            try body(
                MutableMatrixView(
                    base: buffer.baseAddress ?? emptyMutableBase, rows: rows, columns: columns, stride: max(columns, 1)))
        }
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = (0..<min(rows, 4)).map { r in
            "[" + (0..<min(columns, 6)).map { String(self[r, $0]) }.joined(separator: ", ")
                + (columns > 6 ? ", …" : "") + "]"
        }
        return "Matrix(\(rows)x\(columns): \(shown.joined(separator: ", "))\(rows > 4 ? ", …" : ""))"
    }
}

// Views of empty matrices still need a non-nil base pointer; nothing is ever read through it.
nonisolated(unsafe) private let emptyStorage = UnsafeMutablePointer<Float>.allocate(capacity: 1)
private var emptyBase: UnsafePointer<Float> { UnsafePointer(emptyStorage) }
private var emptyMutableBase: UnsafeMutablePointer<Float> { emptyStorage }
