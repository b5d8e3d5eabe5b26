import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenTensor
import WardenTokenizer

/// Everything a fine-tuning run uses, resolved from a ``FinetuneRecipe`` and the loaded data: the configuration,
/// the tokenized train, calibration and validation examples, the head to start from and the loss weights.
public struct FinetuneSetup {
    public let recipe: FinetuneRecipe
    public let configuration: FineTuneConfiguration
    public let train: [FineTuneExample]
    public let calibration: [FineTuneExample]
    public let validation: [FineTuneExample]
    public let head: ClassifierHead
    public let positiveWeights: [Float]
    public let augmenter: FineTuneAugmenter?
    public let labels: [String]
    public let maxLength: Int
    /// The ``DataMixture`` the training items were drawn and weighted by (nil for the reference recipe, which has none).
    public let mixtureName: String?

    /// - Parameters:
    ///   - examples: every labelled item; the standard recipe splits them with ``DataSplit/standard``, the
    ///     reference recipe trains on all of them.
    ///   - targets: the label space the standard recipe trains (the reference recipe trains `unsafe` only).
    ///   - validationItems: items to report `unsafe` AUPRC on instead of the split's validation part.
    public init(
        recipe: FinetuneRecipe, encoder: Encoder, tokenizer: any Tokenizer, examples: [LabelledExample], targets: TargetBuilder,
        validationItems: [LabelledExample]? = nil
    ) throws {
        self.recipe = recipe
        let reference = recipe.kind == .reference
        var c = FineTuneConfiguration()
        c.mode = recipe.mode ?? (reference ? .full : .lora)
        c.rank = recipe.rank
        c.alpha = recipe.alpha
        c.trainNormsAndBiases = recipe.trainNormsAndBiases
        c.epochs = recipe.epochs ?? (reference ? 1 : 2)
        c.batchSize = recipe.batchSize ?? 32
        c.learningRate = recipe.learningRate ?? (c.mode == .full ? 5e-5 : 5e-4)
        c.headLearningRate = recipe.headLearningRate
        c.augmentation = recipe.augmentation
        c.dropout = recipe.dropout ?? (reference ? 0.1 : 0)
        guard c.dropout >= 0 && c.dropout < 1 else { throw FinetuneRecipeError.dropoutOutOfRange(c.dropout) }
        c.workers = recipe.workers
        c.seed = recipe.seed
        c.checkpointEvery = recipe.checkpointEvery
        c.bucketBatches = reference ? 0 : 50
        for (option, value) in [("--pair-weight", recipe.pairWeight), ("--pair-margin", recipe.pairMargin),
                                ("--invariance-weight", recipe.invarianceWeight)] where !(value.isFinite && value >= 0) {
            throw FinetuneRecipeError.contrastOutOfRange(option: option, value: value)
        }
        c.contrast = ContrastObjective(pairWeight: recipe.pairWeight, margin: recipe.pairMargin, invarianceWeight: recipe.invarianceWeight)
        if reference && c.contrast.isActive { throw FinetuneRecipeError.contrastWithReference }
        c.patience = 1
        let maxLength = recipe.maxLength ?? (reference ? 128 : 256)
        self.maxLength = maxLength

        if reference {
            guard recipe.initialHead == nil else { throw FinetuneRecipeError.initialHeadWithReference }
            c.pooledLayers = [encoder.configuration.layerCount]
            labels = ["unsafe"]
            train = FineTuneData.subset(examples, maximum: recipe.maxTrain).map {
                FineTuneData.referenceExample($0, tokenizer: tokenizer, maxLength: maxLength)
            }
            calibration = []
            validation = (validationItems ?? []).map { FineTuneData.referenceExample($0, tokenizer: tokenizer, maxLength: maxLength) }
            let positives = train.filter { $0.target.values[0] > 0.5 }.count
            positiveWeights = [Float(train.count - positives) / Float(max(positives, 1))]
            head = Self.torchLinearHead(width: encoder.configuration.hiddenSize, seed: c.seed)
            augmenter = nil
            mixtureName = nil
            configuration = c
            return
        }

        labels = targets.space.labels
        let normalizer = TextNormalizer(options: ModelManifest.NormalizationSpec().options)
        let inputs = ModelInputBuilder(tokenizer: tokenizer, maxLength: maxLength, overlap: ModelInputBuilder.standardOverlap(maxLength: maxLength),
                                       normalize: { normalizer.normalize($0) })
        let parts = DataSplit.standard.split(examples)
        let name = recipe.mixture ?? DataMixture.defaultName(for: tokenizer.family)
        mixtureName = name
        let mixture = try DataMixture.named(name)
        let trainItems = FineTuneData.subset(mixture.capped(parts[.train] ?? []), maximum: recipe.maxTrain)
        func convert(_ items: [LabelledExample]) -> [FineTuneExample] {
            items.map { FineTuneData.example($0, inputs: inputs, targets: targets, mixture: mixture) }
        }
        var train = convert(trainItems)
        if c.contrast.isActive {
            for (index, link) in ContrastLink.links(for: trainItems).enumerated() { train[index].link = link }
        }
        self.train = train
        calibration = convert(parts[.calibration] ?? [])
        validation = convert(validationItems ?? parts[.validation] ?? [])
        positiveWeights = MaskedBCE.positiveWeights(for: train.map(\.target), labels: labels.count, maximum: 8)
        let augment: FineTuneAugmenter = { index, random in
            let item = FineTuneData.obfuscated(trainItems[index], random: &random)
            return FineTuneData.example(item, inputs: inputs, targets: targets, mixture: mixture)
        }
        augmenter = recipe.augmentation > 0 ? augment : nil

        if let folder = recipe.initialHead {
            let manifest = try ModelManifest.load(from: folder)
            guard manifest.labels == labels else {
                throw FinetuneRecipeError.initialHeadLabels(bundle: folder.path, bundleLabels: manifest.labels, taxonomyLabels: labels)
            }
            c.pooledLayers = manifest.pooling.layers
            head = try ClassifierHead.load(from: folder.appendingPathComponent(manifest.head.file), spec: manifest.head, labels: labels.count)
        } else {
            c.pooledLayers = recipe.layers
            var fresh = ClassifierHead(inputSize: encoder.configuration.hiddenSize * c.pooledLayers.count, hiddenSize: recipe.hidden,
                                       labels: labels.count, seed: c.seed)
            if recipe.hidden == 0 { fresh.w1 = Matrix(rows: fresh.w1.rows, columns: fresh.w1.columns) }  // linear head from zeros
            (fresh.featureMean, fresh.featureScale) = try FineTuneData.standardization(
                encoder: encoder, examples: train, layers: c.pooledLayers, workers: c.workers)
            head = fresh
        }
        configuration = c
    }

    /// torch.nn.Linear's default initialisation, as train_reference.py gets it: uniform in ±1/√fan_in for weight
    /// and bias, identity standardisation.
    static func torchLinearHead(width: Int, seed: UInt64) -> ClassifierHead {
        var random = SplitMix64(seed: seed)
        let bound = 1 / Float(width).squareRoot()
        func uniform() -> Float { (random.nextUniform() * 2 - 1) * bound }
        return ClassifierHead(featureMean: [Float](repeating: 0, count: width), featureScale: [Float](repeating: 1, count: width),
                              w1: Matrix(rows: width, columns: 1, storage: (0..<width).map { _ in uniform() }), b1: [uniform()],
                              w2: Matrix(rows: 0, columns: 0), b2: [])
    }

    /// The trainer for this setup, over a private copy of `encoder`.
    public func makeTuner(encoder: Encoder) -> FineTuner {
        FineTuner(encoder: encoder, head: head, configuration: configuration, positiveWeights: positiveWeights)
    }

    /// The figures the bundle records: training counters, the calibration loss and the validation `unsafe` AUPRC
    /// (rounded to 4 digits; left out, with a note through `log`, when the validation items are all one class).
    public func metrics(of outcome: FineTuner.Outcome, tuner: FineTuner, log: (String) -> Void = { _ in }) throws -> [String: Double] {
        var metrics: [String: Double] = [
            "best_epoch": Double(outcome.bestEpoch), "train_steps": Double(outcome.steps),
            "train_tokens_per_s": outcome.tokensPerSecond.rounded(), "train_seconds": (outcome.seconds * 10).rounded() / 10,
        ]
        if outcome.calibrationLoss.isFinite { metrics["calibration_loss"] = outcome.calibrationLoss }
        guard !validation.isEmpty else { return metrics }
        if let auprc = FineTuneData.unsafeAUPRC(logits: try tuner.logits(validation), examples: validation), auprc.isFinite {
            metrics[Self.validationAUPRCKey] = (auprc * 10_000).rounded() / 10_000
        } else {
            log("validation AUPRC is undefined: the \(validation.count) validation items are all safe or all unsafe")
        }
        return metrics
    }

    public static let validationAUPRCKey = "validation_auprc_unsafe"

    /// Writes the trained model: head, encoder delta, Platt calibration fitted on the calibration part (the
    /// validation items when there is none, as in the reference recipe) and the manifest.
    public func writeBundle(tuner: FineTuner, to folder: URL, bundle: TrainedBundle, baseName: String, metrics: [String: Double]) throws {
        let head = tuner.trainableHead.head
        let calibrationSet = calibration.isEmpty ? validation : calibration
        let calibrations = Calibrator.fit(logits: try tuner.logits(calibrationSet), targets: calibrationSet.map(\.target), labels: labels)
        let c = configuration
        let what = c.mode == .lora ? "LoRA r=\(c.rank) alpha=\(c.alpha)\(c.trainNormsAndBiases ? " + LayerNorms and biases" : "")" : "full fine-tune"
        try bundle.write(
            to: folder,
            description: "\(baseName) (\(what)) + \(head.isLinear ? "linear" : "MLP") head on mean-pooled layers \(c.pooledLayers), "
                + "trained by `warden train finetune --recipe \(recipe.kind.rawValue)`"
                + (mixtureName.map { " on the `\($0)` mixture." } ?? "."),
            head: head, delta: tuner.delta(), labels: labels, maxLength: maxLength, pooledLayers: c.pooledLayers,
            calibration: calibrations,
            // The reference recipe tokenizes raw text, as train_reference.py does.
            normalization: recipe.kind == .reference
                ? .init(nfkc: false, foldHomoglyphs: false, foldLeetspeak: false, joinSpacedLetters: false) : .init(),
            metrics: metrics)
    }
}
