import ArgumentParser
import Foundation
import WardenEval
import WardenModel
import WardenTaxonomy
import WardenTokenizer
import WardenTraining

struct Train: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train classifiers on labelled JSONL data.",
        subcommands: [Head.self, Finetune.self, Threshold.self]
    )

    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a classification head on frozen encoder features and write a model bundle.",
            discussion: """
            Uses the fixed split (`warden data split`): the head trains on the train part (after the \
            mixture's caps), stops early and is calibrated on the calibration part; the validation part \
            is left for `warden eval --split validation`.
            """
        )

        @OptionGroup var data: DataCommand.DataOptions
        @OptionGroup var base: BaseOption
        @Option(help: "Output bundle folder.") var output: String
        @Option(help: "Bundle id recorded in audit events.") var id = "warden-minilm-frozen"
        @Option(help: "Bundle version.") var version = "1.0.0"
        @Option(parsing: .upToNextOption, help: "Encoder layers to mean-pool and concatenate (0 = embeddings, 6 = last).")
        var layers: [Int] = [3, 6]
        @Option(help: "Hidden width of the MLP head (0 = linear).") var hidden = 256
        @Option(help: "Maximum epochs.") var epochs = 40
        @Option(help: "Learning rate.") var learningRate: Float = 1e-3
        @Option(help: "Tokens per window.") var maxLength = 256
        @Option(help: "Forward-pass worker threads.") var workers = 2
        @Option(help: "Feature cache folder (default: $WARDEN_HOME/cache).") var cache: String?

        func run() async throws {
            let examples = try data.load()
            let targets = try data.targets()
            let parts = DataSplit.standard.split(examples)
            let train = DataMixture.standard.capped(parts[.train] ?? [])
            let calibration = parts[.calibration] ?? []
            note("train \(train.count) items, calibration \(calibration.count) items (validation \(parts[.validation]?.count ?? 0) held out)")

            let store = ModelStore(spec: try base.spec())
            let files = try store.locate()
            let encoder = try Encoder.load(directory: files.directory)
            let tokenizer = try files.tokenizer(specialTokensInText: .plainText)
            let normalization = ModelManifest.NormalizationSpec()
            let normalizer = TextNormalizer(options: normalization.options)
            let inputs = ModelInputBuilder(tokenizer: tokenizer, maxLength: maxLength, overlap: ModelInputBuilder.standardOverlap(maxLength: maxLength),
                                           normalize: { normalizer.normalize($0) })
            let builder = FeatureBuilder(extractor: FeatureExtractor(encoder: encoder, layers: layers, workers: workers), inputs: inputs)
            let cacheURL = cache.map { URL(fileURLWithPath: $0) } ?? Locations.home.appendingPathComponent("cache")

            func featureSet(_ items: [LabelledExample], _ label: String) throws -> FeatureSet {
                var bar = ProgressBar(total: items.count, label: "features (\(label))")
                let features = try builder.features(for: items, cacheDirectory: cacheURL) { bar.update($0) }
                return FeatureSet(
                    features: features, targets: items.map(targets.target(for:)),
                    weights: items.map { Float(DataMixture.standard.weight(of: $0, unsafe: targets.isUnsafe($0))) })
            }
            let trainSet = try featureSet(train, "train")
            let calibrationSet = try featureSet(calibration, "calibration")

            var configuration = HeadTrainingConfiguration()
            configuration.hiddenSize = hidden
            configuration.epochs = epochs
            configuration.learningRate = learningRate
            let outcome = HeadTrainer(configuration: configuration).train(trainSet, calibration: calibrationSet) { note($0) }
            let calibrationLogits = outcome.head.logits(calibrationSet.features)
            let calibrations = Calibrator.fit(logits: calibrationLogits, targets: calibrationSet.targets, labels: targets.space.labels)

            let folder = URL(fileURLWithPath: output, isDirectory: true)
            let bundle = TrainedBundle(
                id: id, version: version, base: .init(spec: store.spec, tokenizer: tokenizer.family),
                trainingData: try data.manifestFiles(examples: examples))
            try bundle.write(
                to: folder, description: "\(store.spec.name) (frozen) + MLP head on mean-pooled layers \(layers), trained by `warden train head`.",
                head: outcome.head, delta: nil, labels: targets.space.labels, maxLength: maxLength, pooledLayers: layers,
                calibration: calibrations, normalization: normalization,
                metrics: ["best_epoch": Double(outcome.bestEpoch), "calibration_loss": outcome.calibrationLoss])
            print("wrote \(folder.path) (best epoch \(outcome.bestEpoch), calibration loss \(String(format: "%.4f", outcome.calibrationLoss)))")
        }
    }
}
