import Foundation
import WardenTokenizer

extension QuantizedE5File {
    /// The model's configuration in Hugging Face form. multilingual-e5-small is a `BertModel` (positions from 0,
    /// two token types) over the XLM-R SentencePiece vocabulary, which the configuration names.
    var configuration: EncoderConfiguration {
        var c = EncoderConfiguration(
            vocabularySize: shape.vocabulary, hiddenSize: shape.hidden, layerCount: shape.layers, attentionHeadCount: shape.heads,
            intermediateSize: shape.intermediate, maxPositionEmbeddings: shape.positions, typeVocabularySize: shape.tokenTypes,
            layerNormEpsilon: shape.epsilon, padTokenID: specialIDs.pad, modelType: "bert")
        c.tokenizerFamily = .sentencePiece
        c.startTokenID = specialIDs.start
        c.endTokenID = specialIDs.end
        c.positionOffset = 0
        return c
    }

    /// The tokenizer files' contents: the scored pieces and the normalisation map.
    func tokenizerFiles() throws -> (vocabulary: SentencePieceVocabulary, normalization: NormalizationMap) {
        let vocabulary: SentencePieceVocabulary
        do {
            vocabulary = try SentencePieceVocabulary(pieces: pieces, scores: scores, source: path)
        } catch {
            throw QuantizedE5Error.invalidVocabulary(file: path, reason: "\(error)")
        }
        let ids = vocabulary.specialIDs
        guard (Int(ids.classification), Int(ids.separator), Int(ids.pad), Int(ids.unknown)) == specialIDs else {
            throw QuantizedE5Error.invalidVocabulary(file: path, reason: "its special ids \(specialIDs) do not spell <s>, </s>, <pad>, <unk>")
        }
        return (vocabulary, NormalizationMap(normalization))
    }

    /// Every tensor dequantised to fp32 under its Hugging Face `BertModel` name, in ``EncoderWeights`` order.
    func fp32Tensors() throws -> [SafeTensorsWriter.Tensor] {
        let (h, f) = (shape.hidden, shape.intermediate)
        var tensors: [SafeTensorsWriter.Tensor] = [
            try tensor("emb.word", as: "embeddings.word_embeddings.weight", shape: [shape.vocabulary, h]),
            try tensor("emb.pos", as: "embeddings.position_embeddings.weight", shape: [shape.positions, h]),
            try tensor("emb.type", as: "embeddings.token_type_embeddings.weight", shape: [shape.tokenTypes, h]),
            try tensor("emb.ln.w", as: "embeddings.LayerNorm.weight", shape: [h]),
            try tensor("emb.ln.b", as: "embeddings.LayerNorm.bias", shape: [h]),
        ]
        for l in 0..<shape.layers {
            let (q, p) = ("l\(l).", "encoder.layer.\(l).")
            for (short, long, rows, columns) in [
                ("q", "attention.self.query", h, h), ("k", "attention.self.key", h, h), ("v", "attention.self.value", h, h),
                ("ao", "attention.output.dense", h, h),
            ] {
                tensors.append(try tensor(q + short + ".w", as: p + long + ".weight", shape: [rows, columns]))
                tensors.append(try tensor(q + short + ".b", as: p + long + ".bias", shape: [rows]))
            }
            tensors.append(try tensor(q + "aln.w", as: p + "attention.output.LayerNorm.weight", shape: [h]))
            tensors.append(try tensor(q + "aln.b", as: p + "attention.output.LayerNorm.bias", shape: [h]))
            tensors.append(try tensor(q + "fi.w", as: p + "intermediate.dense.weight", shape: [f, h]))
            tensors.append(try tensor(q + "fi.b", as: p + "intermediate.dense.bias", shape: [f]))
            tensors.append(try tensor(q + "fo.w", as: p + "output.dense.weight", shape: [h, f]))
            tensors.append(try tensor(q + "fo.b", as: p + "output.dense.bias", shape: [h]))
            tensors.append(try tensor(q + "oln.w", as: p + "output.LayerNorm.weight", shape: [h]))
            tensors.append(try tensor(q + "oln.b", as: p + "output.LayerNorm.bias", shape: [h]))
        }
        return tensors
    }

    /// One tensor as fp32: copied when stored as f32, dequantised block by block when Q4_0. Rows of a quantised
    /// matrix are whole blocks (its columns are a multiple of 32), so the flat block order is the row-major order.
    private func tensor(_ name: String, as hfName: String, shape: [Int]) throws -> SafeTensorsWriter.Tensor {
        guard let entry = tensors[name] else { throw QuantizedE5Error.missingTensor(file: path, tensor: name) }
        let count = shape.reduce(1, *)
        guard entry.count == count else {
            throw QuantizedE5Error.wrongTensor(file: path, tensor: name, reason: "has \(entry.count) elements, the header's shape \(shape) needs \(count)")
        }
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[entry.offset..<entry.offset + entry.byteCount])
                if entry.isQuantized {
                    Self.dequantize(bytes, into: buffer)
                } else {
                    for i in 0..<count { buffer[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian) }
                }
            }
            initialized = count
        }
        return SafeTensorsWriter.Tensor(name: hfName, shape: shape, values: values)
    }

    /// Q4_0 → fp32: weight `j` of a block is `(low nibble of byte j - 8) * d`, weight `j + 16` the high nibble.
    static func dequantize(_ blocks: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Float>) {
        let blockCount = blocks.count / blockBytes
        for block in 0..<blockCount {
            let base = block * blockBytes
            let scale = Float(halfBits: blocks.loadUnaligned(fromByteOffset: base, as: UInt16.self).littleEndian)
            let out = block * 32
            for j in 0..<16 {
                let byte = blocks[base + 2 + j]
                output[out + j] = Float(Int(byte & 0x0F) - 8) * scale
                output[out + j + 16] = Float(Int(byte >> 4) - 8) * scale
            }
        }
    }
}

extension Float {
    /// An IEEE 754 binary16 value (as its bits) widened exactly to binary32.
    init(halfBits bits: UInt16) {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = UInt32(bits & 0x03FF)
        switch exponent {
        case 0:
            // Zero or subnormal: fraction · 2^-24, exact in binary32.
            let magnitude = Float(fraction) * 0x1p-24
            self = sign == 0 ? magnitude : -magnitude
        case 31:
            self = Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)
        default:
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | fraction << 13)
        }
    }
}
