import Foundation
import Testing
import WardenModel

@Suite("EncoderConfiguration")
struct EncoderConfigurationTests {
    let miniLMConfig = """
        {"architectures": ["BertModel"], "hidden_act": "gelu", "hidden_size": 384, "intermediate_size": 1536,
         "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
         "num_hidden_layers": 6, "pad_token_id": 0, "type_vocab_size": 2, "vocab_size": 30522}
        """

    func write(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("decodes a Hugging Face BERT config.json")
    func decodes() throws {
        let configuration = try EncoderConfiguration.load(from: write(miniLMConfig))
        #expect(configuration == .miniLML6)
        #expect(configuration.layerNormEpsilon == 1e-12)
        #expect(configuration.headSize == 32)
    }

    @Test("a missing key is reported with the file and the key name")
    func missingKey() throws {
        let url = try write(miniLMConfig.replacingOccurrences(of: #""hidden_size": 384,"#, with: ""))
        do {
            _ = try EncoderConfiguration.load(from: url)
            Issue.record("expected an error")
        } catch let error as EncoderError {
            #expect(error.description.contains("hidden_size") && error.description.contains(url.path))
        }
    }

    @Test(
        "unsupported architectures are rejected naming the key",
        arguments: [
            (#""hidden_act": "gelu""#, #""hidden_act": "relu""#, "hidden_act"),
            (#""num_attention_heads": 12"#, #""num_attention_heads": 7"#, "num_attention_heads"),
            (#""vocab_size": 30522"#, #""vocab_size": 0"#, "vocab_size"),
        ])
    func rejects(original: String, replacement: String, key: String) throws {
        let url = try write(miniLMConfig.replacingOccurrences(of: original, with: replacement))
        #expect {
            _ = try EncoderConfiguration.load(from: url)
        } throws: { error in
            guard case EncoderError.invalidConfiguration(let file, let reportedKey, _) = error else { return false }
            return file == url.path && reportedKey == key
        }
    }
}
