import Foundation
import Testing
import WardenTokenizer

/// Parity beyond the golden cases: every code point of U+0080…U+31FFF (and the tag and private-use planes)
/// in a few contexts, compared with `transformers` block by block through a hash
/// (`Fixtures/make_unicode_sweep.py` writes the reference).
@Suite("Unicode sweep parity with transformers")
struct UnicodeSweepTests {
    struct Block: Sendable {
        let start: UInt32, end: UInt32, hash: String, count: Int
    }

    static let blocks: [Block] = {
        let text = try! String(contentsOf: Fixtures.url("unicode_sweep.tsv"), encoding: .utf8)
        return text.split(separator: "\n").map { line in
            let field = line.split(separator: "\t").map(String.init)
            return Block(start: UInt32(field[0], radix: 16)!, end: UInt32(field[1], radix: 16)!, hash: field[2],
                         count: Int(field[3])!)
        }
    }()

    static func text(_ block: Block) -> String {
        var text = ""
        for value in block.start..<block.end {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let c = String(scalar)
            text += "a\(c)b \(c)\(c)\u{C9}\(c) "
        }
        return text
    }

    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    @Test("every block of 256 code points gives the reference ids")
    func sweep() {
        #expect(Self.blocks.count == 804)
        var failing: [String] = []
        for block in Self.blocks {
            let ids = Fixtures.tokenizer.encode(Self.text(block)).ids
            if Self.fnv1a64(ids.map(String.init).joined(separator: " ")) != block.hash || ids.count != block.count {
                failing.append(String(format: "U+%04X..<U+%04X", block.start, block.end))
            }
        }
        #expect(failing.isEmpty, "blocks differing from transformers: \(failing)")
    }

    // Ids from transformers 5.24: Rust's category tables are Unicode 8.0 and its CJK range starts at U+2B920.
    @Test("scalars newer than Unicode 8.0, recategorized ones and the U+2B820 range behave as in Rust")
    func rustTables() {
        let tokenizer = Fixtures.tokenizer
        #expect(tokenizer.encode("a\u{8D4}b x\u{1885}y z\u{166D}w").ids == [101, 100, 100, 1062, 100, 1059, 102])
        #expect(tokenizer.encode("\u{2B900}\u{2B820} q").ids == [101, 100, 1053, 102])
        #expect(tokenizer.encode("k\u{1734}l \u{378}\u{8E2}").ids == [101, 1047, 2140, 100, 102])
    }
}
