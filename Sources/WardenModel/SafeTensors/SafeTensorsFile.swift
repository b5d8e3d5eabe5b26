import Foundation
import WardenTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element types of the safetensors format (`dtype` strings in the header).
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    public var byteCount: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .i64, .u64, .f64: return 8
        }
    }
}

/// One tensor's header entry.
public struct SafeTensorInfo: Sendable, Equatable {
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range inside the data section (after the header).
    public let dataRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length, a JSON header mapping tensor names to dtype, shape and byte offsets, then the raw little-endian data.
///
/// The header is validated when the file is opened (offsets inside the file, sizes matching shapes), so a
/// truncated download fails at load time with the file and tensor named. Tensor data is paged in lazily and
/// converted to fp32 on request.
public final class SafeTensorsFile: @unchecked Sendable {
    // @unchecked: the mapping is read-only and never changes after init.
    public let path: String
    public let tensors: [String: SafeTensorInfo]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    private let mapping: UnsafeRawPointer
    private let mappedLength: Int
    private let dataStart: Int

    /// Maps and validates the file at `url`.
    /// - Throws: ``SafeTensorsError`` naming the file (and tensor) for unreadable, truncated or malformed files.
    public init(contentsOf url: URL) throws {
        path = url.path
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw SafeTensorsError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SafeTensorsError.unreadable(file: url.path, reason: String(cString: strerror(errno)))
        }
        let length = Int(status.st_size)
        guard length >= 8 else {
            throw SafeTensorsError.truncated(file: url.path, detail: "\(length) bytes, shorter than the 8-byte header length")
        }
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw SafeTensorsError.unreadable(file: url.path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        let base = UnsafeRawPointer(address)
        do {
            let parsed = try Self.parseHeader(base: base, length: length, file: url.path)
            tensors = parsed.tensors
            metadata = parsed.metadata
            dataStart = parsed.dataStart
        } catch {
            munmap(address, length)
            throw error
        }
        mapping = base
        mappedLength = length
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: mapping), mappedLength)
    }

    /// Tensor names, sorted.
    public var tensorNames: [String] { tensors.keys.sorted() }

    public func contains(_ name: String) -> Bool { tensors[name] != nil }

    /// The elements of tensor `name` converted to fp32 (from F32, F16 or BF16), row-major.
    ///
    /// - Parameter expectedShape: if given, the tensor must have exactly this shape.
    /// - Throws: ``SafeTensorsError/missingTensor(file:tensor:)``, ``SafeTensorsError/wrongShape(file:tensor:expected:actual:)``
    ///   or ``SafeTensorsError/unsupportedDType(file:tensor:dtype:)``.
    public func floats(_ name: String, shape expectedShape: [Int]? = nil) throws -> [Float] {
        guard let info = tensors[name] else { throw SafeTensorsError.missingTensor(file: path, tensor: name) }
        if let expectedShape, expectedShape != info.shape {
            throw SafeTensorsError.wrongShape(file: path, tensor: name, expected: expectedShape, actual: info.shape)
        }
        let source = mapping + dataStart + info.dataRange.lowerBound
        let count = info.elementCount
        switch info.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(start: source, count: count * 4))
                initialized = count
            }
        case .f16:
            return (0..<count).map { Self.halfToFloat(source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .bf16:
            return (0..<count).map {
                Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)
            }
        default:
            throw SafeTensorsError.unsupportedDType(file: path, tensor: name, dtype: info.dtype.rawValue)
        }
    }

    /// Tensor `name` as a matrix of the given shape (`[rows, columns]`, or `[count]` read as one row).
    public func matrix(_ name: String, rows: Int, columns: Int) throws -> Matrix {
        Matrix(rows: rows, columns: columns, storage: try floats(name, shape: [rows, columns]))
    }

    /// IEEE binary16 → binary32, including subnormals, infinities and NaN.
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa · 2⁻²⁴.
            let magnitude = Float(mantissa) * 5.960_464_5e-8
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
