import ArgumentParser
import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenTensor
import WardenTokenizer
import WardenTraining

extension Train {
    struct Finetune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fine-tune the encoder (LoRA or full) with a classification head and write a model bundle.",
            discussion: """
            Standard recipe: the fixed split (`warden data split`), the mixture's caps and weights, multi-label \
            masked BCE, LoRA adapters on every linear layer (plus LayerNorms and biases), early stopping and Platt \
            calibration on the calibration part; the validation part's `unsafe` AUPRC is reported. \
            Reference recipe (`--recipe reference`): exactly train_reference.py: every item of --data trains, single \
            `unsafe` label, last-layer mean pooling, linear head, full fine-tuning, lr 5e-5, max length 128, batch 32, \
            1 epoch, BERT's dropout 0.1; AUPRC on --validation.
            """
        )

        enum Recipe: String, ExpressibleByArgument, CaseIterable { case standard, reference }

        @OptionGroup var data: DataCommand.DataOptions
        @OptionGroup var base: BaseOption
        @Option(help: "Recipe: standard or reference.") var recipe: Recipe = .standard
        @Option(help: "Output bundle folder (optional for the reference recipe).") var output: String?
        @Option(help: "Bundle id recorded in audit events.") var id = "warden-minilm-lora"
        @Option(help: "Bundle version.") var version = "1.0.0"
        @Option(help: "lora or full.") var mode: String?
        @Option(help: "LoRA rank.") var rank = 8
        @Option(help: "LoRA alpha (scale = alpha / rank).") var alpha: Float = 16
        @Flag(help: "LoRA only: keep LayerNorms and biases frozen too.") var freezeNorms = false
        @Option(parsing: .upToNextOption, help: "Encoder layers to mean-pool and concatenate (0 = embeddings, 6 = last).")
        var layers: [Int] = [3, 6]
        @Option(help: "Hidden width of a fresh head (0 = linear).") var hidden = 0
        @Option(help: "Start the head from this bundle's head (its pooling layers are used).") var initHead: String?
        @Option(help: "Epochs.") var epochs: Int?
        @Option(help: "Examples per batch.") var batchSize: Int?
        @Option(help: "Peak learning rate.") var learningRate: Float?
        @Option(help: "Peak learning rate of the head (default: the encoder's).") var headLearningRate: Float?
        @Option(help: "Tokens per window.") var maxLength: Int?
        @Option(help: "Keep at most this many training items (a deterministic subset, after the mixture's caps).") var maxTrain: Int?
        @Option(help: "Probability of obfuscating a training example (fresh each epoch).") var augment = 0.0
        @Option(help: "Dropout rate in the encoder while training (default: 0.1 for the reference recipe, 0 for standard).")
        var dropout: Float?
        @Option(help: "Data-parallel workers.") var workers = 2
        @Option(help: "Random seed (batch order, adapters, augmentation).") var seed: UInt64 = 20_261_127
        @Option(help: "Checkpoint file (default: <output>.checkpoint.safetensors).") var checkpoint: String?
        @Option(help: "Write a checkpoint every N steps (0 = at epoch ends only).") var checkpointEvery = 200
        @Flag(help: "Continue from the checkpoint.") var resume = false
        @Option(parsing: .upToNextOption, help: "JSONL files to report `unsafe` AUPRC on (default: the validation split).")
        var validation: [String] = []

        func run() async throws {
            BLAS.setThreadCount(1)
            let store = ModelStore(spec: try base.spec())
            let files = try store.locate()
            let encoder = try Encoder.load(directory: files.directory)
            let tokenizer = try files.tokenizer(specialTokensInText: .plainText)
            let setup = try FinetuneSetup(command: self, encoder: encoder, tokenizer: tokenizer)
            note("train \(setup.train.count) items, calibration \(setup.calibration.count), validation \(setup.validation.count); "
                + "\(setup.configuration.mode.rawValue) \(setup.configuration.totalSteps(examples: setup.train.count)) steps")

            let tuner = FineTuner(encoder: encoder, head: setup.head, configuration: setup.configuration, positiveWeights: setup.positiveWeights)
            note("trainable parameters: \(tuner.trainableParameterCount)")
            let checkpointURL = (checkpoint ?? output.map { $0 + ".checkpoint.safetensors" }).map { URL(fileURLWithPath: $0) }
            var bar: ProgressBar?
            var firstStep = 0
            let outcome = try tuner.train(
                setup.train, calibration: setup.calibration, augmenter: setup.augmenter, checkpoint: checkpointURL, resume: resume,
                progress: { p in
                    if bar == nil {
                        firstStep = p.step - 1
                        bar = ProgressBar(total: p.totalSteps - firstStep, label: "finetune")
                        bar?.quietEvery = 50
                    }
                    bar?.update(p.step - firstStep, extra: String(format: "step %d/%d epoch %d loss %.4f %.0f tok/s", p.step, p.totalSteps, p.epoch, p.loss, p.tokensPerSecond))
                }, log: { note($0) })

            var metrics: [String: Double] = [
                "best_epoch": Double(outcome.bestEpoch), "train_steps": Double(outcome.steps),
                "train_tokens_per_s": outcome.tokensPerSecond.rounded(), "train_seconds": (outcome.seconds * 10).rounded() / 10,
            ]
            if outcome.calibrationLoss.isFinite { metrics["calibration_loss"] = outcome.calibrationLoss }
            if !setup.validation.isEmpty {
                if let auprc = FineTuneData.unsafeAUPRC(logits: try tuner.logits(setup.validation), examples: setup.validation), auprc.isFinite {
                    metrics["validation_auprc_unsafe"] = (auprc * 10_000).rounded() / 10_000
                } else {
                    note("validation AUPRC is undefined: the \(setup.validation.count) validation items are all safe or all unsafe")
                }
            }
            // The bundle first: a failure to print the summary must not lose the trained model.
            if let output {
                try setup.writeBundle(tuner: tuner, to: URL(fileURLWithPath: output, isDirectory: true), store: store, metrics: metrics)
                note("wrote \(output)")
            }
            let summary: [String: Any] = [
                "recipe": recipe.rawValue, "mode": setup.configuration.mode.rawValue, "train_items": setup.train.count,
                "steps": outcome.steps, "train_seconds": metrics["train_seconds"]!, "train_tokens_per_s": metrics["train_tokens_per_s"]!,
                "val_items": setup.validation.count, "val_auprc_unsafe": metrics["validation_auprc_unsafe"] ?? NSNull(),
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
        }
    }
}

/// The data, head and configuration a `warden train finetune` run uses, from its options.
private struct FinetuneSetup {
    let recipe: Train.Finetune.Recipe
    let configuration: FineTuneConfiguration
    let train: [FineTuneExample]
    let calibration: [FineTuneExample]
    let validation: [FineTuneExample]
    let head: ClassifierHead
    let positiveWeights: [Float]
    let augmenter: FineTuneAugmenter?
    let labels: [String]
    let maxLength: Int
    let data: DataCommand.DataOptions
    let examples: [LabelledExample]
    let id: String
    let version: String
    let tokenizerFamily: TokenizerFamily

    init(command: Train.Finetune, encoder: Encoder, tokenizer: any Tokenizer) throws {
        tokenizerFamily = tokenizer.family
        recipe = command.recipe
        id = command.id
        version = command.version
        var c = FineTuneConfiguration()
        let reference = command.recipe == .reference
        c.mode = try command.mode.map {
            guard let mode = FineTuneConfiguration.Mode(rawValue: $0) else { throw ValidationError("--mode must be lora or full, not \($0)") }
            return mode
        } ?? (reference ? .full : .lora)
        c.rank = command.rank
        c.alpha = command.alpha
        c.trainNormsAndBiases = !command.freezeNorms
        c.epochs = command.epochs ?? (reference ? 1 : 2)
        c.batchSize = command.batchSize ?? 32
        c.learningRate = command.learningRate ?? (c.mode == .full ? 5e-5 : 5e-4)
        c.headLearningRate = command.headLearningRate
        c.augmentation = command.augment
        c.dropout = command.dropout ?? (reference ? 0.1 : 0)
        guard c.dropout >= 0 && c.dropout < 1 else { throw ValidationError("--dropout must be in [0, 1), not \(c.dropout)") }
        c.workers = command.workers
        c.seed = command.seed
        c.checkpointEvery = command.checkpointEvery
        c.bucketBatches = reference ? 0 : 50
        c.patience = 1
        let maxLength = command.maxLength ?? (reference ? 128 : 256)
        self.maxLength = maxLength
        data = command.data
        examples = try command.data.load()
        let validationItems = try command.validation.isEmpty ? nil : LabelledDataset.load(command.validation.map { URL(fileURLWithPath: $0) })

        if reference {
            guard command.initHead == nil else { throw ValidationError("--init-head does not apply to --recipe reference (it trains a fresh linear head)") }
            c.pooledLayers = [encoder.configuration.layerCount]
            labels = ["unsafe"]
            let trainItems = FineTuneData.subset(examples, maximum: command.maxTrain)
            train = trainItems.map { FineTuneData.referenceExample($0, tokenizer: tokenizer, maxLength: maxLength) }
            calibration = []
            validation = (validationItems ?? []).map { FineTuneData.referenceExample($0, tokenizer: tokenizer, maxLength: maxLength) }
            let positives = train.filter { $0.target.values[0] > 0.5 }.count
            positiveWeights = [Float(train.count - positives) / Float(max(positives, 1))]
            // torch.nn.Linear's default initialisation: uniform in ±1/√fan_in for weight and bias.
            var random = SplitMix64(seed: c.seed)
            let width = encoder.configuration.hiddenSize
            let bound = 1 / Float(width).squareRoot()
            func uniform() -> Float { (random.nextUniform() * 2 - 1) * bound }
            head = ClassifierHead(featureMean: [Float](repeating: 0, count: width), featureScale: [Float](repeating: 1, count: width),
                                  w1: Matrix(rows: width, columns: 1, storage: (0..<width).map { _ in uniform() }), b1: [uniform()],
                                  w2: Matrix(rows: 0, columns: 0), b2: [])
            augmenter = nil
            configuration = c
            return
        }

        let targets = try command.data.targets()
        labels = targets.space.labels
        let normalizer = TextNormalizer(options: ModelManifest.NormalizationSpec().options)
        let inputs = ModelInputBuilder(tokenizer: tokenizer, maxLength: maxLength, overlap: ModelInputBuilder.standardOverlap(maxLength: maxLength), normalize: { normalizer.normalize($0) })
        let parts = DataSplit.standard.split(examples)
        let mixture = DataMixture.readable(by: tokenizer.family)
        let trainItems = FineTuneData.subset(mixture.capped(parts[.train] ?? []), maximum: command.maxTrain)
        func convert(_ items: [LabelledExample]) -> [FineTuneExample] {
            items.map { FineTuneData.example($0, inputs: inputs, targets: targets, mixture: mixture) }
        }
        train = convert(trainItems)
        calibration = convert(parts[.calibration] ?? [])
        validation = convert(validationItems ?? parts[.validation] ?? [])
        positiveWeights = MaskedBCE.positiveWeights(for: train.map(\.target), labels: labels.count, maximum: 8)
        let augment: FineTuneAugmenter = { index, random in
            let item = FineTuneData.obfuscated(trainItems[index], random: &random)
            return FineTuneData.example(item, inputs: inputs, targets: targets, mixture: mixture)
        }
        augmenter = command.augment > 0 ? augment : nil

        if let bundle = command.initHead {
            let folder = URL(fileURLWithPath: bundle, isDirectory: true)
            let manifest = try ModelManifest.load(from: folder)
            guard manifest.labels == labels else {
                throw ValidationError("\(bundle): its labels \(manifest.labels) differ from the taxonomy's \(labels)")
            }
            c.pooledLayers = manifest.pooling.layers
            head = try ClassifierHead.load(from: folder.appendingPathComponent(manifest.head.file), spec: manifest.head, labels: labels.count)
        } else {
            c.pooledLayers = command.layers
            var fresh = ClassifierHead(inputSize: encoder.configuration.hiddenSize * c.pooledLayers.count, hiddenSize: command.hidden,
                                       labels: labels.count, seed: c.seed)
            if command.hidden == 0 { fresh.w1 = Matrix(rows: fresh.w1.rows, columns: fresh.w1.columns) }  // linear head from zeros
            (fresh.featureMean, fresh.featureScale) = try FineTuneData.standardization(
                encoder: encoder, examples: train, layers: c.pooledLayers, workers: c.workers)
            head = fresh
        }
        configuration = c
    }

    func writeBundle(tuner: FineTuner, to folder: URL, store: ModelStore, metrics: [String: Double]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let head = tuner.trainableHead.head
        try head.write(to: folder.appendingPathComponent("head.safetensors"))
        try tuner.delta().write(to: folder.appendingPathComponent("encoder_delta.safetensors"))
        let calibrationSet = calibration.isEmpty ? validation : calibration
        let calibrations = try Calibrator.fit(logits: tuner.logits(calibrationSet), targets: calibrationSet.map(\.target), labels: labels)
        let dataFiles = try data.manifestFiles(examples: examples)
        let c = configuration
        let what = c.mode == .lora ? "LoRA r=\(c.rank) alpha=\(c.alpha)\(c.trainNormsAndBiases ? " + LayerNorms and biases" : "")" : "full fine-tune"
        let manifest = ModelManifest(
            id: id, version: version,
            description: "\(store.spec.name) (\(what)) + \(head.isLinear ? "linear" : "MLP") head on mean-pooled layers \(c.pooledLayers), trained by `warden train finetune --recipe \(recipe.rawValue)`.",
            base: .init(spec: store.spec, tokenizer: tokenizerFamily),
            labels: labels, maxLength: maxLength, windowOverlap: ModelInputBuilder.standardOverlap(maxLength: maxLength), pooling: .init(layers: c.pooledLayers),
            head: .init(file: "head.safetensors", hiddenSize: head.hiddenSize, inputSize: head.inputSize),
            encoderDelta: "encoder_delta.safetensors", calibration: calibrations,
            thresholds: Dictionary(uniqueKeysWithValues: labels.map { ($0, 0.5) }),
            // The reference recipe tokenizes raw text, as train_reference.py does.
            normalization: recipe == .reference
                ? .init(nfkc: false, foldHomoglyphs: false, foldLeetspeak: false, joinSpacedLetters: false) : .init(),
            trainingData: dataFiles, validationMetrics: metrics.filter { $0.value.isFinite })
        try manifest.write(to: folder)
    }
}
