import WardenCore
import WardenTokenizer

/// How `warden train finetune` trains the encoder and head.
public struct FineTuneConfiguration: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable {
        /// Low-rank adapters on every linear layer; base weights frozen.
        case lora
        /// Every encoder parameter trains (the reference recipe).
        case full
    }

    public var mode: Mode = .lora
    public var rank = 8
    public var alpha: Float = 16
    /// In LoRA mode, also train LayerNorm γ/β and the linear biases (stored as deltas).
    public var trainNormsAndBiases = true
    /// In full mode, also train the word embeddings (the reference does).
    public var trainWordEmbeddings = true
    /// Encoder layers mean-pooled and concatenated into the head's input (0 = embeddings, 6 = last).
    public var pooledLayers = [3, 6]
    public var epochs = 2
    public var batchSize = 32
    public var learningRate: Float = 5e-4
    /// Peak learning rate of the head (nil: same as the encoder's).
    public var headLearningRate: Float?
    public var weightDecay: Float = 0.01
    public var warmupFraction = 0.06
    /// Global gradient-norm limit (0: no clipping).
    public var clipNorm = 1.0
    public var seed: UInt64 = 20_261_127
    /// Data-parallel workers: each runs forward and backward on its share of every batch.
    public var workers = 2
    /// Batches per length-sorted chunk (examples are shuffled, cut into chunks, sorted by length within a chunk,
    /// cut into batches, and the batches shuffled); 0 sorts the whole epoch at once, as the reference does.
    public var bucketBatches = 50
    /// Epochs without improvement of the calibration loss before stopping.
    public var patience = 1
    /// Write a checkpoint every this many steps (0: only at the end of each epoch, when a checkpoint path is set).
    public var checkpointEvery = 0
    /// Probability that a training example is obfuscated (fresh each epoch) before tokenization.
    public var augmentation = 0.0
    /// BERT dropout in the encoder during training (embeddings, attention probabilities, both projection outputs).
    public var dropout: Float = 0
    /// The paired objective over contrast units (off by default: both weights 0). When it is on, each unit's
    /// examples are batched together (``BatchPlan/batches(sortKeys:groups:batchSize:bucketBatches:seed:epoch:)``).
    public var contrast = ContrastObjective(pairWeight: 0, margin: 2, invarianceWeight: 0)

    public init() {}

    /// Steps of `epochs` epochs over `count` examples, when batches are not grouped.
    public func totalSteps(examples count: Int) -> Int {
        epochs * ((count + batchSize - 1) / batchSize)
    }

    /// Steps of the whole run over `examples`: grouped batches can hold fewer than `batchSize` examples.
    public func totalSteps(for examples: [FineTuneExample]) -> Int {
        guard contrast.isActive else { return totalSteps(examples: examples.count) }
        return (0..<epochs).reduce(0) { $0 + plan(for: examples, epoch: $1).count }
    }

    /// The batches of `epoch` over `examples`: a contrast unit's examples share a batch when the paired objective is on.
    public func plan(for examples: [FineTuneExample], epoch: Int) -> [[Int]] {
        let keys = examples.map(\.sortKey)
        guard contrast.isActive else {
            return BatchPlan.batches(sortKeys: keys, batchSize: batchSize, bucketBatches: bucketBatches, seed: seed, epoch: epoch)
        }
        return BatchPlan.batches(sortKeys: keys, groups: examples.map { $0.link?.group }, batchSize: batchSize,
                                 bucketBatches: bucketBatches, seed: seed, epoch: epoch)
    }
}

/// One tokenized training or evaluation example.
public struct FineTuneExample: Sendable {
    public var ids: [Int]
    public var typeIDs: [Int]
    public var target: TrainingTarget
    /// Loss weight (source mixture).
    public var weight: Float
    /// What batches are bucketed by (token count, or characters for the reference recipe).
    public var sortKey: Int
    /// The contrast unit it belongs to, for the paired objective (nil for most examples).
    public var link: ContrastLink?

    public init(ids: [Int], typeIDs: [Int], target: TrainingTarget, weight: Float, sortKey: Int? = nil) {
        self.ids = ids
        self.typeIDs = typeIDs
        self.target = target
        self.weight = weight
        self.sortKey = sortKey ?? ids.count
    }

    public init(encoding: Encoding, target: TrainingTarget, weight: Float, sortKey: Int? = nil) {
        self.init(ids: encoding.ids.map(Int.init), typeIDs: encoding.typeIDs.map(Int.init), target: target, weight: weight, sortKey: sortKey)
    }
}

/// Re-tokenizes example `index` after obfuscating its text with the given generator (augmentation).
public typealias FineTuneAugmenter = @Sendable (_ index: Int, _ random: inout SplitMix64) -> FineTuneExample

/// Length-bucketed batches for one epoch, a pure function of the seed and epoch (so a resumed run sees the
/// same batches as an uninterrupted one).
public enum BatchPlan {
    public static func batches(sortKeys: [Int], batchSize: Int, bucketBatches: Int, seed: UInt64, epoch: Int) -> [[Int]] {
        batches(sortKeys: sortKeys, groups: sortKeys.map { _ in nil }, batchSize: batchSize, bucketBatches: bucketBatches, seed: seed, epoch: epoch)
    }

    /// Like ``batches(sortKeys:batchSize:bucketBatches:seed:epoch:)``, but the examples of one group (same
    /// non-nil `groups` value) stay together: whole units are shuffled, chunked, sorted by their longest member and
    /// packed into batches of at most `batchSize` examples (a unit never splits, so a batch may hold fewer). With no
    /// groups every unit is one example, and the plan is exactly the ungrouped one.
    public static func batches(sortKeys: [Int], groups: [Int?], batchSize: Int, bucketBatches: Int, seed: UInt64, epoch: Int) -> [[Int]] {
        precondition(groups.count == sortKeys.count)
        var random = SplitMix64(seed: seed ^ (0xA076_1D64_78BD_642F &* UInt64(epoch + 1)))
        var units: [[Int]] = []
        var unitOfGroup: [Int: Int] = [:]
        for index in sortKeys.indices {
            guard let group = groups[index] else { units.append([index]); continue }
            if let unit = unitOfGroup[group] {
                units[unit].append(index)
            } else {
                unitOfGroup[group] = units.count
                units.append([index])
            }
        }
        let unitKeys = units.map { $0.map { sortKeys[$0] }.max()! }
        func byLength(_ indices: [Int]) -> [Int] {
            indices.sorted { unitKeys[$0] == unitKeys[$1] ? $0 < $1 : unitKeys[$0] < unitKeys[$1] }
        }
        var order = Array(units.indices)
        if bucketBatches == 0 {
            order = byLength(order)
        } else {
            order.shuffle(using: &random)
            let chunk = bucketBatches * batchSize
            var sorted: [Int] = [], current: [Int] = [], size = 0
            for unit in order {
                current.append(unit)
                size += units[unit].count
                if size >= chunk { sorted += byLength(current); current = []; size = 0 }
            }
            order = sorted + byLength(current)
        }
        var batches: [[Int]] = [], batch: [Int] = []
        for unit in order {
            if !batch.isEmpty, batch.count + units[unit].count > batchSize { batches.append(batch); batch = [] }
            batch += units[unit]
        }
        if !batch.isEmpty { batches.append(batch) }
        batches.shuffle(using: &random)
        return batches
    }

    /// A generator for example `index` in `epoch` (augmentation), independent of batch order.
    public static func exampleRandom(seed: UInt64, epoch: Int, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed &+ 0x51_7CC1_B727_220A &* UInt64(epoch + 1) &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        return SplitMix64(seed: mixer.next())
    }
}
