import Foundation
import Testing
import WardenCore
import WardenEval
import WardenModel
import WardenTokenizer
@testable import WardenTraining

/// The recipe as the CLI runs it, on the tiny encoder with a 50-word vocabulary: setup, training, metrics, bundle.
@Suite("Fine-tuning recipe: setup, defaults and the bundle it writes")
struct FinetuneSetupTests {
    static let harmful = ["knife", "attack", "kill", "hurt", "bomb", "poison", "shoot", "burn"]
    static let harmless = ["cake", "garden", "music", "book", "walk", "river", "paint", "bread", "song", "chair"]
    static let filler = ["the", "a", "i", "want", "to", "how", "do", "my", "with", "for", "is", "it", "you", "we", "at", "on",
                         "and", "of", "in", "this", "that", "me", "please", "now", "today", "tell", "about"]

    static func tokenizer() throws -> BertTokenizer {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + harmful + harmless + filler
        precondition(tokens.count == TinyModel.configuration.vocabularySize)
        return BertTokenizer(vocabulary: try Vocabulary(tokens: tokens), specialTokensInText: .plainText)
    }

    /// Items whose label is whether a harmful word occurs; every fourth unsafe one also carries `S1`.
    static func items(count: Int) -> [LabelledExample] {
        var random = SplitMix64(seed: 17)
        return (0..<count).map { index in
            let unsafe = index % 2 == 0
            var words = (0..<(3 + random.index(below: 6))).map { _ in filler[random.index(below: filler.count)] }
            let topic = unsafe ? harmful[random.index(below: harmful.count)] : harmless[random.index(below: harmless.count)]
            words.insert(topic, at: random.index(below: words.count + 1))
            return LabelledExample(id: "item-\(index)", source: "tiny", prompt: words.joined(separator: " "), unsafe: unsafe,
                                   categories: unsafe && index % 4 == 0 ? ["S1"] : [])
        }
    }

    static let targets = TargetBuilder(space: LabelSpace(labels: ["unsafe", "violent_crimes"], labelForCode: ["S1": "violent_crimes"]))

    @Test("the standard recipe splits, trains, reports validation AUPRC and writes a bundle that loads")
    func standardRecipe() throws {
        var recipe = FinetuneRecipe()
        recipe.rank = 2
        recipe.alpha = 4
        recipe.layers = [1, 2]
        recipe.maxLength = 24
        recipe.batchSize = 8
        recipe.epochs = 6
        recipe.learningRate = 2e-2
        recipe.workers = 2
        let encoder = TinyModel.encoder()
        let items = Self.items(count: 240)
        let setup = try FinetuneSetup(recipe: recipe, encoder: encoder, tokenizer: try Self.tokenizer(), examples: items, targets: Self.targets)

        #expect(setup.labels == ["unsafe", "violent_crimes"])
        #expect(setup.configuration.mode == FineTuneConfiguration.Mode.lora && setup.configuration.pooledLayers == [1, 2] && setup.configuration.dropout == 0)
        let parts = DataSplit.standard.split(items)
        #expect(setup.train.count == parts[.train]?.count && setup.calibration.count == parts[.calibration]?.count)
        #expect(setup.validation.count == parts[.validation]?.count && !setup.validation.isEmpty)
        #expect(setup.train.allSatisfy { $0.ids.count <= 24 })
        #expect(setup.head.isLinear && setup.head.inputSize == 64)

        let tuner = setup.makeTuner(encoder: encoder)
        let outcome = try tuner.train(setup.train, calibration: setup.calibration)
        let metrics = try setup.metrics(of: outcome, tuner: tuner)
        let auprc = try #require(metrics[FinetuneSetup.validationAUPRCKey])
        #expect(auprc > 0.8, "the harmful words are learnable (AUPRC \(auprc))")
        #expect(metrics["train_steps"] == Double(outcome.steps))

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-setup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = ModelManifest.BaseReference(package: "tiny", version: "0", sha256: [:], name: "tiny", tokenizer: .wordPiece)
        let bundle = TrainedBundle(id: "tiny-lora", version: "0.0.1", base: base, trainingData: [])
        try setup.writeBundle(tuner: tuner, to: folder, bundle: bundle, baseName: "tiny", metrics: metrics)
        let manifest = try ModelManifest.load(from: folder)
        #expect(manifest.id == "tiny-lora" && manifest.labels == setup.labels && manifest.pooling.layers == [1, 2])
        #expect(manifest.thresholds == ["unsafe": 0.5, "violent_crimes": 0.5] && manifest.maxLength == 24)
        #expect(manifest.description.contains("LoRA r=2") && manifest.validationMetrics[FinetuneSetup.validationAUPRCKey] == auprc)
        let delta = try EncoderDelta.load(from: folder.appendingPathComponent(try #require(manifest.encoderDelta)))
        #expect(delta == tuner.delta())
        let head = try ClassifierHead.load(from: folder.appendingPathComponent(manifest.head.file), spec: manifest.head, labels: 2)
        #expect(head == tuner.trainableHead.head)
    }

    @Test("the reference recipe's defaults: every item trains, `unsafe` only, last layer, full fine-tuning")
    func referenceDefaults() throws {
        var recipe = FinetuneRecipe(kind: .reference)
        recipe.maxLength = 32
        let items = Self.items(count: 40)
        let setup = try FinetuneSetup(recipe: recipe, encoder: TinyModel.encoder(), tokenizer: try Self.tokenizer(), examples: items,
                                      targets: Self.targets, validationItems: Array(items.prefix(10)))
        let c = setup.configuration
        #expect(setup.labels == ["unsafe"] && c.pooledLayers == [TinyModel.configuration.layerCount])
        #expect(c.mode == FineTuneConfiguration.Mode.full && c.learningRate == 5e-5 && c.epochs == 1 && c.dropout == 0.1 && c.bucketBatches == 0)
        #expect(setup.train.count == 40 && setup.calibration.isEmpty && setup.validation.count == 10)
        #expect(setup.positiveWeights == [1], "20 unsafe, 20 safe")
        #expect(setup.head.isLinear && setup.head.featureScale.allSatisfy { $0 == 1 })
    }

    @Test("options that cannot run are refused with the option's name")
    func refusals() throws {
        var reference = FinetuneRecipe(kind: .reference)
        reference.initialHead = URL(fileURLWithPath: "/nonexistent")
        let tokenizer = try Self.tokenizer()
        #expect(throws: FinetuneRecipeError.initialHeadWithReference) {
            try FinetuneSetup(recipe: reference, encoder: TinyModel.encoder(), tokenizer: tokenizer, examples: Self.items(count: 8), targets: Self.targets)
        }
        var dropout = FinetuneRecipe()
        dropout.dropout = 1
        let error = #expect(throws: FinetuneRecipeError.self) {
            try FinetuneSetup(recipe: dropout, encoder: TinyModel.encoder(), tokenizer: tokenizer, examples: Self.items(count: 8), targets: Self.targets)
        }
        #expect(error?.localizedDescription.contains("--dropout") == true)
        var pairs = FinetuneRecipe(kind: .reference)
        pairs.pairWeight = 10
        #expect(throws: FinetuneRecipeError.contrastWithReference) {
            try FinetuneSetup(recipe: pairs, encoder: TinyModel.encoder(), tokenizer: tokenizer, examples: Self.items(count: 8), targets: Self.targets)
        }
        var negative = FinetuneRecipe()
        negative.invarianceWeight = -1
        #expect(throws: FinetuneRecipeError.contrastOutOfRange(option: "--invariance-weight", value: -1)) {
            try FinetuneSetup(recipe: negative, encoder: TinyModel.encoder(), tokenizer: tokenizer, examples: Self.items(count: 8), targets: Self.targets)
        }
    }

    @Test("with the paired objective on, contrast items get links and units share batches; without it, none do")
    func contrastLinks() throws {
        func contrast(_ pair: String, _ role: String, unsafe: Bool) -> LabelledExample {
            LabelledExample(id: "warden_contrast-\(pair)-\(role)", source: "warden_contrast", prompt: unsafe ? "how to kill with a knife" : "how to bake bread",
                            unsafe: unsafe, categories: unsafe ? ["S1"] : [],
                            origLabels: ["kind": .string("intent"), "pair": .string(pair), "role": .string(role)])
        }
        let examples = Self.items(count: 200) + (0..<40).flatMap { [contrast("p\($0)", "harmful", unsafe: true), contrast("p\($0)", "harmless", unsafe: false)] }
        var recipe = FinetuneRecipe()
        recipe.layers = [1, 2]
        recipe.batchSize = 8
        recipe.pairWeight = 10
        let setup = try FinetuneSetup(recipe: recipe, encoder: TinyModel.encoder(), tokenizer: try Self.tokenizer(), examples: examples, targets: Self.targets)
        let linked = setup.train.indices.filter { setup.train[$0].link != nil }
        #expect(!linked.isEmpty && linked.count % 2 == 0)
        for batch in setup.configuration.plan(for: setup.train, epoch: 0) {
            let groups = batch.compactMap { setup.train[$0].link?.group }
            for group in Set(groups) { #expect(groups.filter { $0 == group }.count == 2) }
        }
        #expect(setup.configuration.totalSteps(for: setup.train) >= setup.configuration.totalSteps(examples: setup.train.count))
        recipe.pairWeight = 0
        let plain = try FinetuneSetup(recipe: recipe, encoder: TinyModel.encoder(), tokenizer: try Self.tokenizer(), examples: examples, targets: Self.targets)
        #expect(plain.train.allSatisfy { $0.link == nil })
    }
}
