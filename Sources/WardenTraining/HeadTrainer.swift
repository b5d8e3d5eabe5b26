import Foundation
import WardenCore
import WardenModel
import WardenTensor

/// Pooled features of a set of examples with their targets and loss weights.
public struct FeatureSet: Sendable {
    public var features: Matrix
    public var targets: [TrainingTarget]
    public var weights: [Float]

    public init(features: Matrix, targets: [TrainingTarget], weights: [Float]) {
        precondition(features.rows == targets.count && targets.count == weights.count)
        self.features = features
        self.targets = targets
        self.weights = weights
    }

    public var count: Int { targets.count }

    func rows(_ indices: ArraySlice<Int>) -> (Matrix, [TrainingTarget], [Float]) {
        var batch = Matrix(rows: indices.count, columns: features.columns)
        batch.withMutableView { out in
            features.withView { all in
                for (r, index) in indices.enumerated() {
                    out.row(r).update(from: all.row(index), count: all.columns)
                }
            }
        }
        return (batch, indices.map { targets[$0] }, indices.map { weights[$0] })
    }
}

public struct HeadTrainingConfiguration: Sendable, Hashable, Codable {
    public var hiddenSize = 256
    public var epochs = 40
    public var batchSize = 256
    public var learningRate: Float = 1e-3
    public var weightDecay: Float = 0.01
    public var maxPositiveWeight: Float = 8
    /// Epochs without improvement of the calibration-split loss before stopping.
    public var patience = 5
    public var seed: UInt64 = 20_261_127

    public init() {}
}

/// Trains a `ClassifierHead` on frozen features, stops early on the calibration split, and fits
/// Platt scaling per label on that split.
public struct HeadTrainer: Sendable {
    public var configuration: HeadTrainingConfiguration

    public init(configuration: HeadTrainingConfiguration = .init()) { self.configuration = configuration }

    public struct Outcome: Sendable {
        public var head: ClassifierHead
        public var bestEpoch: Int
        public var calibrationLoss: Double
        public var history: [(epoch: Int, trainLoss: Double, calibrationLoss: Double)]
    }

    public func train(_ train: FeatureSet, calibration: FeatureSet, log: (String) -> Void = { _ in }) -> Outcome {
        let config = configuration
        let labels = train.targets.first?.values.count ?? 1
        var head = ClassifierHead(inputSize: train.features.columns, hiddenSize: config.hiddenSize, labels: labels, seed: config.seed)
        (head.featureMean, head.featureScale) = Self.standardization(of: train.features)
        let x = head.standardize(train.features)
        let xCalibration = head.standardize(calibration.features)
        let positiveWeights = MaskedBCE.positiveWeights(for: train.targets, labels: labels, maximum: config.maxPositiveWeight)

        var optimizer = AdamW(learningRate: config.learningRate, weightDecay: config.weightDecay)
        let slots = (w1: optimizer.addSlot(count: head.w1.count, decay: true), b1: optimizer.addSlot(count: head.b1.count, decay: false),
                     w2: optimizer.addSlot(count: head.w2.count, decay: true), b2: optimizer.addSlot(count: head.b2.count, decay: false))
        let stepsPerEpoch = (train.count + config.batchSize - 1) / config.batchSize
        let schedule = LinearSchedule(peak: config.learningRate, warmupSteps: stepsPerEpoch, totalSteps: stepsPerEpoch * config.epochs)
        var random = SplitMix64(seed: config.seed)
        var order = Array(0..<train.count)
        var best = (head: head, epoch: 0, loss: Double.infinity)
        var history: [(epoch: Int, trainLoss: Double, calibrationLoss: Double)] = []
        let standardized = FeatureSet(features: x, targets: train.targets, weights: train.weights)

        for epoch in 1...config.epochs {
            order.shuffle(using: &random)
            var epochLoss = 0.0
            for start in stride(from: 0, to: order.count, by: config.batchSize) {
                let (batch, targets, weights) = standardized.rows(order[start..<min(start + config.batchSize, order.count)])
                let trace = head.forwardTrace(standardized: batch)
                let (loss, gradient) = MaskedBCE.lossAndGradient(
                    logits: trace.logits, targets: targets[...], exampleWeights: weights[...], positiveWeights: positiveWeights)
                epochLoss += loss * Double(targets.count)
                let g = head.backward(trace, logitGradient: gradient)
                optimizer.beginStep()
                let rate = schedule.rate(at: optimizer.time - 1)
                head.w1.updateStorage { optimizer.update(&$0, gradients: g.w1.storage, slot: slots.w1, rate: rate) }
                optimizer.update(&head.b1, gradients: g.b1, slot: slots.b1, rate: rate)
                if !head.isLinear {
                    head.w2.updateStorage { optimizer.update(&$0, gradients: g.w2.storage, slot: slots.w2, rate: rate) }
                    optimizer.update(&head.b2, gradients: g.b2, slot: slots.b2, rate: rate)
                }
            }
            let calibrationLogits = head.forwardTrace(standardized: xCalibration).logits
            let calibrationLoss = MaskedBCE.lossAndGradient(
                logits: calibrationLogits, targets: calibration.targets[...], exampleWeights: calibration.weights[...],
                positiveWeights: positiveWeights).loss
            let trainLoss = epochLoss / Double(max(train.count, 1))
            history.append((epoch, trainLoss, calibrationLoss))
            log(String(format: "epoch %2d  train loss %.4f  calibration loss %.4f", epoch, trainLoss, calibrationLoss))
            if calibrationLoss < best.loss {
                best = (head, epoch, calibrationLoss)
            } else if epoch - best.epoch >= config.patience {
                log("early stop: no improvement for \(config.patience) epochs; keeping epoch \(best.epoch)")
                break
            }
        }
        return Outcome(head: best.head, bestEpoch: best.epoch, calibrationLoss: best.loss, history: history)
    }

    /// Per-feature mean and standard deviation (floored so constant features do not explode).
    static func standardization(of features: Matrix) -> ([Float], [Float]) {
        let n = Double(max(features.rows, 1))
        var mean = [Double](repeating: 0, count: features.columns)
        var square = [Double](repeating: 0, count: features.columns)
        features.withView { view in
            for r in 0..<view.rows {
                let row = view.row(r)
                for j in 0..<view.columns {
                    mean[j] += Double(row[j])
                    square[j] += Double(row[j]) * Double(row[j])
                }
            }
        }
        let means = mean.map { $0 / n }
        let scales = zip(square, means).map { sq, m in Float(max((sq / n - m * m).squareRoot(), 1e-4)) }
        return (means.map { Float($0) }, scales)
    }
}

extension Matrix {
    /// Gives in-place access to the storage (for optimiser updates) without copying.
    mutating func updateStorage(_ body: (inout [Float]) -> Void) {
        var values = storage
        body(&values)
        self = Matrix(rows: rows, columns: columns, storage: values)
    }
}
