/// A heap block of floats at a fixed, 64-byte-aligned address, owned by this object.
///
/// This is the storage behind scratch workspaces and frozen weights: kernels can hold ``MutableMatrixView``s of
/// it for as long as the buffer object is alive (unlike `[Float]`, whose pointers are only valid inside a
/// closure). It is a class so that ownership is explicit: whoever holds the reference keeps the memory.
/// Not `Sendable`: one buffer belongs to one worker. Share immutable data through a type that promises
/// not to write after initialisation (e.g. the encoder's packed weights).
public final class FloatBuffer {
    public let base: UnsafeMutablePointer<Float>
    public let capacity: Int

    /// A zero-filled buffer of `capacity` floats.
    public init(capacity: Int) {
        precondition(capacity >= 0, "FloatBuffer capacity must be non-negative")
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
        base.initialize(repeating: 0, count: max(capacity, 1))
        self.capacity = capacity
    }

    /// A buffer holding a copy of `values`.
    public convenience init(copying values: [Float]) {
        self.init(capacity: values.count)
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        base.deinitialize(count: max(capacity, 1))
        UnsafeMutableRawPointer(base).deallocate()
    }

    /// A `rows × columns` view starting `offset` floats into the buffer.
    public func view(rows: Int, columns: Int, offset: Int = 0) -> MutableMatrixView {
        precondition(offset >= 0 && offset + rows * columns <= capacity, "FloatBuffer: view past the end")
        return MutableMatrixView(base: base + offset, rows: rows, columns: columns, stride: max(columns, 1))
    }

    /// Overwrites the buffer with `other`'s floats (the same capacity).
    public func copy(from other: FloatBuffer) {
        precondition(other.capacity == capacity, "FloatBuffer: copying \(other.capacity) floats into \(capacity)")
        withExtendedLifetime(other) { base.update(from: other.base, count: capacity) }
    }

    /// Overwrites the buffer with `values` (the same count).
    public func copy(from values: [Float]) {
        precondition(values.count == capacity, "FloatBuffer: copying \(values.count) floats into \(capacity)")
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: capacity) }
    }

    /// A copy of the first `count` floats.
    public func toArray(count: Int? = nil) -> [Float] {
        Array(UnsafeBufferPointer(start: base, count: count ?? capacity))
    }
}

/// A growable scratch matrix for one worker: keeps its largest allocation, so a forward pass that runs
/// many chunks allocates only on the first (or a larger) chunk.
public final class ScratchMatrix {
    private var buffer = FloatBuffer(capacity: 0)

    public init() {}

    /// A view of `rows × columns` floats; contents are unspecified. Invalidates earlier views if it has to grow.
    public func view(rows: Int, columns: Int) -> MutableMatrixView {
        if buffer.capacity < rows * columns {
            buffer = FloatBuffer(capacity: rows * columns)
        }
        return buffer.view(rows: rows, columns: columns)
    }
}
