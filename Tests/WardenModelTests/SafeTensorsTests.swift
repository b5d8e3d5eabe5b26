import Foundation
import Testing
import WardenModel
import WardenTensor

@Suite("safetensors reader and writer")
struct SafeTensorsTests {
    /// A fresh temporary directory per test.
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("warden-st-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A file from a raw header string and data bytes.
    func rawFile(header: String, data: [UInt8], declaredLength: UInt64? = nil, name: String = "raw.safetensors") throws -> URL {
        var bytes = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(contentsOf: data)
        let url = directory.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    func error(_ body: () throws -> Void) -> SafeTensorsError? {
        do { try body() } catch let e as SafeTensorsError { return e } catch { return nil }
        return nil
    }

    @Test("F32 tensors round-trip through the writer, with metadata")
    func roundTrip() throws {
        let url = directory.appendingPathComponent("head.safetensors")
        let matrix = Matrix([[1, 2, 3], [4, 5, 6.5]])
        try SafeTensorsWriter.write(
            [.init(name: "head.weight", matrix: matrix), .init(name: "head.bias", shape: [2], values: [-1, 0.25])],
            metadata: ["format": "warden"], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.tensorNames == ["head.bias", "head.weight"])
        #expect(file.metadata == ["format": "warden"])
        #expect(try file.matrix("head.weight", rows: 2, columns: 3) == matrix)
        #expect(try file.floats("head.bias") == [-1, 0.25])
        #expect(file.tensors["head.weight"]?.dtype == .f32)
    }

    @Test("F16 and BF16 are converted to F32, including subnormals and infinity")
    func halfPrecision() throws {
        // F16: 1.0, -2.0, 0.5, smallest subnormal (2⁻²⁴), +inf. BF16: 1.0, -3.0.
        let f16: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x0001, 0x7C00]
        let bf16: [UInt16] = [0x3F80, 0xC040]
        let bytes = (f16 + bf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let header = #"{"a":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[10,14]}}"#
        let file = try SafeTensorsFile(contentsOf: rawFile(header: header, data: bytes))
        #expect(try file.floats("a") == [1, -2, 0.5, 5.960_464_5e-8, .infinity])
        #expect(try file.floats("b", shape: [1, 2]) == [1, -3])
    }

    @Test("a truncated file names the file and the tensor whose data is cut off")
    func truncated() throws {
        let header = #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        let url = try rawFile(header: header, data: [UInt8](repeating: 0, count: 12))
        let e = error { _ = try SafeTensorsFile(contentsOf: url) }
        guard case .truncated = e else { Issue.record("expected .truncated, got \(String(describing: e))"); return }
        #expect(e!.description.contains(url.path) && e!.description.contains("'w'"))

        let short = try rawFile(header: "{}", data: [], declaredLength: 1000, name: "short.safetensors")
        guard case .truncated = error({ _ = try SafeTensorsFile(contentsOf: short) }) else { Issue.record("header length past the end"); return }
        let tiny = directory.appendingPathComponent("tiny.safetensors")
        try Data([1, 2, 3]).write(to: tiny)
        guard case .truncated = error({ _ = try SafeTensorsFile(contentsOf: tiny) }) else { Issue.record("3-byte file"); return }
    }

    @Test("malformed header JSON and bad entries are reported with the file")
    func malformed() throws {
        for (index, header) in [
            #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]"#,  // not JSON
            #"["w"]"#,  // not an object
            #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#,  // size disagrees with shape
            #"{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}"#,  // shape not a list
        ].enumerated() {
            let url = try rawFile(header: header, data: [UInt8](repeating: 0, count: 8), name: "bad\(index).safetensors")
            let e = error { _ = try SafeTensorsFile(contentsOf: url) }
            guard case .malformedHeader = e else { Issue.record("case \(index): expected .malformedHeader, got \(String(describing: e))"); continue }
            #expect(e!.description.contains(url.path))
        }
    }

    @Test("unknown dtype, wrong shape, missing tensor and integer tensors each get their own error")
    func tensorErrors() throws {
        let unknown = try rawFile(header: #"{"w":{"dtype":"F7","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], name: "u.safetensors")
        guard case .unknownDType(_, let tensor, let dtype) = error({ _ = try SafeTensorsFile(contentsOf: unknown) }) else {
            Issue.record("expected .unknownDType"); return
        }
        #expect(tensor == "w" && dtype == "F7")

        let header = #"{"__metadata__":{"format":"pt"},"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        let url = try rawFile(header: header, data: [UInt8](repeating: 0, count: 16), name: "t.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        guard case .wrongShape(let f, "w", [3], [2]) = error({ _ = try file.floats("w", shape: [3]) }) else { Issue.record("wrong shape"); return }
        #expect(f == url.path)
        guard case .missingTensor(_, "bias") = error({ _ = try file.floats("bias") }) else { Issue.record("missing"); return }
        guard case .unsupportedDType(_, "ids", "I64") = error({ _ = try file.floats("ids") }) else { Issue.record("I64"); return }
        #expect(SafeTensorsError.missingTensor(file: url.path, tensor: "bias").description.contains("'bias'"))
    }

    @Test("an encoder saved with the writer loads back through Encoder.load, with or without a bert. prefix")
    func encoderRoundTrip() throws {
        let weights = EncoderWeights.random(configuration: TinyEncoder.configuration, seed: 3)
        let batch = PackedBatch(sequences: TinyEncoder.sequences(lengths: [5, 8]))
        let expected = try Encoder(configuration: TinyEncoder.configuration, weights: weights).encode(batch)
        let config = try JSONEncoder().encode(TinyEncoder.configuration)
        for prefix in ["", "bert."] {
            let model = directory.appendingPathComponent("model-\(prefix.isEmpty ? "plain" : "bert")")
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            try config.write(to: model.appendingPathComponent("config.json"))
            let tensors = weights.namedTensors().map { SafeTensorsWriter.Tensor(name: prefix + $0.name, shape: $0.shape, values: $0.values) }
            try SafeTensorsWriter.write(tensors, to: model.appendingPathComponent("model.safetensors"))
            let loaded = try Encoder.load(directory: model)
            #expect(loaded.configuration == TinyEncoder.configuration)
            #expect(try loaded.encode(batch).lastHiddenState == expected.lastHiddenState)
        }
        #expect(throws: EncoderError.self) { try Encoder.load(directory: directory.appendingPathComponent("nowhere")) }
    }
}
