import Foundation
import WardenTensor

/// Writes fp32 tensors in the safetensors format (used for classifier heads, adapters and test fixtures).
public enum SafeTensorsWriter {
    /// One tensor to write: its name, shape and row-major fp32 elements.
    public struct Tensor: Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "Tensor \(name): shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
            self.name = name
            self.shape = shape
            self.values = values
        }

        /// A 2-D tensor from a matrix.
        public init(name: String, matrix: Matrix) {
            self.init(name: name, shape: [matrix.rows, matrix.columns], values: matrix.storage)
        }
    }

    /// The complete file contents: header length, JSON header (space-padded to a multiple of 8 bytes, as the
    /// reference implementation does, so the data section is aligned), then the data in the given order.
    public static func encode(_ tensors: [Tensor], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            precondition(header[tensor.name] == nil, "Duplicate tensor name \(tensor.name)")
            let bytes = tensor.values.count * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for tensor in tensors {
            tensor.values.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes `tensors` to `url` atomically.
    /// - Throws: ``SafeTensorsError/unwritable(file:reason:)``.
    public static func write(_ tensors: [Tensor], metadata: [String: String] = [:], to url: URL) throws {
        do {
            try encode(tensors, metadata: metadata).write(to: url, options: .atomic)
        } catch {
            throw SafeTensorsError.unwritable(file: url.path, reason: error.localizedDescription)
        }
    }
}
