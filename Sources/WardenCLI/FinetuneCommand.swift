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

        @OptionGroup var data: DataCommand.DataOptions
        @OptionGroup var base: BaseOption
        @Option(help: "Recipe: standard or reference.") var recipe: FinetuneRecipe.Kind = .standard
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
        @Option(help: ArgumentHelp("Training mixture: \(DataMixture.named.keys.sorted().joined(separator: ", ")) (default: standard for a WordPiece base, multilingual for a SentencePiece one)."))
        var mixture: String?
        @Option(help: "Probability of obfuscating a training example (fresh each epoch).") var augment = 0.0
        @Option(help: "Dropout rate in the encoder while training (default: 0.1 for the reference recipe, 0 for standard).")
        var dropout: Float?
        @Option(help: "Weight of the pair ranking loss over Data/contrast minimal pairs (0 = off): the harmful side's `unsafe` logit should lead its harmless twin's by --pair-margin.")
        var pairWeight: Float = 0
        @Option(help: "Margin of the pair ranking loss, in logits.") var pairMargin: Float = 2
        @Option(help: "Weight of the identity-invariance loss over Data/contrast identity templates (0 = off): the spread of the `unsafe` logit across group swaps.")
        var invarianceWeight: Float = 0
        @Option(help: "Data-parallel workers.") var workers = 2
        @Option(help: "Random seed (batch order, adapters, augmentation).") var seed: UInt64 = 20_261_127
        @Option(help: "Checkpoint file (default: <output>.checkpoint.safetensors).") var checkpoint: String?
        @Option(help: "Write a checkpoint every N steps (0 = at epoch ends only).") var checkpointEvery = 200
        @Flag(help: "Continue from the checkpoint.") var resume = false
        @Option(parsing: .upToNextOption, help: "JSONL files or folders of them to report `unsafe` AUPRC on (default: the validation split).")
        var validation: [String] = []

        func run() async throws {
            BLAS.setThreadCount(1)
            let store = ModelStore(spec: try base.spec())
            let files = try store.locate()
            let encoder = try Encoder.load(directory: files.directory)
            let tokenizer = try files.tokenizer(specialTokensInText: .plainText)
            let examples = try data.load()
            let validationItems = try validation.isEmpty ? nil : LabelledDataset.load(DataCommand.DataFiles.expand(validation))
            let setup = try FinetuneSetup(
                recipe: try finetuneRecipe(), encoder: encoder, tokenizer: tokenizer, examples: examples, targets: try data.targets(),
                validationItems: validationItems)
            note("train \(setup.train.count) items, calibration \(setup.calibration.count), validation \(setup.validation.count); "
                + "\(setup.configuration.mode.rawValue) \(setup.configuration.totalSteps(for: setup.train)) steps")

            let tuner = setup.makeTuner(encoder: encoder)
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

            let metrics = try setup.metrics(of: outcome, tuner: tuner, log: { note($0) })
            // The bundle first: a failure to print the summary must not lose the trained model.
            if let output {
                let bundle = TrainedBundle(
                    id: id, version: version, base: .init(spec: store.spec, tokenizer: tokenizer.family),
                    trainingData: try data.manifestFiles(examples: examples))
                try setup.writeBundle(tuner: tuner, to: URL(fileURLWithPath: output, isDirectory: true), bundle: bundle,
                                      baseName: store.spec.name, metrics: metrics)
                note("wrote \(output)")
            }
            let summary: [String: Any] = [
                "recipe": recipe.rawValue, "mode": setup.configuration.mode.rawValue, "train_items": setup.train.count,
                "steps": outcome.steps, "train_seconds": metrics["train_seconds"]!, "train_tokens_per_s": metrics["train_tokens_per_s"]!,
                "val_items": setup.validation.count, "val_auprc_unsafe": metrics[FinetuneSetup.validationAUPRCKey] ?? NSNull(),
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
        }

        /// The options as a recipe; what is left unset takes the recipe's default.
        func finetuneRecipe() throws -> FinetuneRecipe {
            var r = FinetuneRecipe(kind: recipe)
            r.mode = try mode.map {
                guard let mode = FineTuneConfiguration.Mode(rawValue: $0) else { throw ValidationError("--mode must be lora or full, not \($0)") }
                return mode
            }
            r.rank = rank
            r.alpha = alpha
            r.trainNormsAndBiases = !freezeNorms
            r.layers = layers
            r.hidden = hidden
            r.initialHead = initHead.map { URL(fileURLWithPath: $0, isDirectory: true) }
            r.epochs = epochs
            r.batchSize = batchSize
            r.learningRate = learningRate
            r.headLearningRate = headLearningRate
            r.maxLength = maxLength
            r.maxTrain = maxTrain
            r.mixture = mixture
            r.augmentation = augment
            r.dropout = dropout
            r.pairWeight = pairWeight
            r.pairMargin = pairMargin
            r.invarianceWeight = invarianceWeight
            r.workers = workers
            r.seed = seed
            r.checkpointEvery = checkpointEvery
            return r
        }
    }
}

extension FinetuneRecipe.Kind: ExpressibleByArgument {}
