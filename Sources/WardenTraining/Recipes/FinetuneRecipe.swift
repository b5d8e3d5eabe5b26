import Foundation

/// What a fine-tuning run is asked for, before any data is read: the options of `warden train finetune`, as values.
///
/// `nil` means "the recipe's default" (``FinetuneSetup`` fills it in), so the two recipes can differ without the
/// caller knowing how.
public struct FinetuneRecipe: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The fixed split, the mixture's caps and weights, multi-label masked BCE, LoRA, early stopping and Platt
        /// calibration on the calibration part.
        case standard
        /// Exactly train_reference.py: every item trains, single `unsafe` label, last-layer mean pooling, linear
        /// head, full fine-tuning, lr 5e-5, max length 128, batch 32, one epoch, dropout 0.1.
        case reference
    }

    public var kind: Kind = .standard
    public var mode: FineTuneConfiguration.Mode?
    public var rank = 8
    public var alpha: Float = 16
    /// LoRA only: also train LayerNorms and biases.
    public var trainNormsAndBiases = true
    /// Encoder layers to mean-pool and concatenate for a fresh head (0 = embeddings).
    public var layers: [Int] = [3, 6]
    /// Hidden width of a fresh head (0 = linear).
    public var hidden = 0
    /// A bundle whose head (and pooling) the run starts from.
    public var initialHead: URL?
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Float?
    public var headLearningRate: Float?
    public var maxLength: Int?
    /// Keep at most this many training items (a deterministic subset, after the mixture's caps).
    public var maxTrain: Int?
    /// The ``DataMixture`` by name (`DataMixture.named`); nil takes the one the encoder's tokenizer can read.
    public var mixture: String?
    /// Probability of obfuscating a training example, drawn fresh each epoch.
    public var augmentation = 0.0
    public var dropout: Float?
    /// The paired objective over `Data/contrast` units (standard recipe only): weight of the pair ranking loss,
    /// its margin in logits, and weight of the identity-invariance loss. Both weights 0 turn it off.
    public var pairWeight: Float = 0
    public var pairMargin: Float = 2
    public var invarianceWeight: Float = 0
    public var workers = 2
    public var seed: UInt64 = 20_261_127
    /// Checkpoint every this many steps (0 = at epoch ends only).
    public var checkpointEvery = 200

    public init(kind: Kind = .standard) {
        self.kind = kind
    }
}

/// A recipe that cannot run as asked, said in the user's terms.
public enum FinetuneRecipeError: Error, LocalizedError, Equatable {
    case dropoutOutOfRange(Float)
    case initialHeadWithReference
    case contrastWithReference
    case contrastOutOfRange(option: String, value: Float)
    case initialHeadLabels(bundle: String, bundleLabels: [String], taxonomyLabels: [String])

    public var errorDescription: String? {
        switch self {
        case .dropoutOutOfRange(let rate):
            "--dropout must be in [0, 1), not \(rate)"
        case .initialHeadWithReference:
            "--init-head does not apply to --recipe reference (it trains a fresh linear head)"
        case .contrastWithReference:
            "--pair-weight and --invariance-weight do not apply to --recipe reference (it trains on its own data only)"
        case .contrastOutOfRange(let option, let value):
            "\(option) must be a finite number >= 0, not \(value)"
        case .initialHeadLabels(let bundle, let bundleLabels, let taxonomyLabels):
            "\(bundle): its labels \(bundleLabels) differ from the taxonomy's \(taxonomyLabels); start from a bundle "
                + "trained on this taxonomy, or train a fresh head"
        }
    }
}
