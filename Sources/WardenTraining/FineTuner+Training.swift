import Foundation
import WardenCore
import WardenModel
import WardenTensor

extension FineTuner {
    public struct Progress: Sendable {
        public var step: Int
        public var totalSteps: Int
        public var epoch: Int
        /// Mean training loss over the last (up to) 50 steps.
        public var loss: Double
        /// Real (unpadded) tokens per second since this process started training.
        public var tokensPerSecond: Double
    }

    public struct Outcome: Sendable {
        /// 1-based epoch whose parameters were kept (0: no calibration data, the last state is kept).
        public var bestEpoch: Int
        public var calibrationLoss: Double
        public var history: [(epoch: Int, trainLoss: Double, calibrationLoss: Double)]
        public var steps: Int
        public var tokens: Int
        /// Training seconds (forward, backward, update), summed over resumed runs.
        public var seconds: Double
        /// True when `stopAfterSteps` cut the run short (a simulated kill).
        public var interrupted: Bool
        public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    }

    /// Where a run is; saved in checkpoints.
    struct RunState: Codable {
        var step = 0
        var epoch = 0
        var batchInEpoch = 0
        var bestEpoch = 0
        var bestLoss = Double.infinity
        var tokens = 0
        var seconds = 0.0
        var epochLossSum = 0.0
        var epochLossCount = 0
        var history: [[Double]] = []
    }

    /// Trains for the configured epochs with early stopping on `calibration`, then restores the best epoch.
    ///
    /// - Parameters:
    ///   - checkpoint: file for checkpoints (written atomically every ``FineTuneConfiguration/checkpointEvery`` steps
    ///     and at the end of each epoch), or nil.
    ///   - resume: continue from `checkpoint` (it must exist and match this configuration).
    ///   - stopAfterSteps: stop once this many steps are done, as if killed (tests of resume).
    public func train(
        _ train: [FineTuneExample], calibration: [FineTuneExample], augmenter: FineTuneAugmenter? = nil,
        checkpoint: URL? = nil, resume: Bool = false, stopAfterSteps: Int? = nil,
        progress: (Progress) -> Void = { _ in }, log: (String) -> Void = { _ in }
    ) throws -> Outcome {
        let config = configuration
        let totalSteps = config.totalSteps(for: train)
        let warmup = max(1, Int(config.warmupFraction * Double(totalSteps)))
        let schedule = LinearSchedule(peak: config.learningRate, warmupSteps: warmup, totalSteps: totalSteps)
        let headRatio = (config.headLearningRate ?? config.learningRate) / config.learningRate
        var state = RunState()
        var best: [[Float]]?
        if resume, let checkpoint {
            (state, best) = try restore(from: checkpoint, train: train)
            log("resumed at step \(state.step) (epoch \(state.epoch + 1), batch \(state.batchInEpoch))")
        }
        let started = Date()
        let tokensAtStart = state.tokens
        var recent: [Double] = []
        var interrupted = false

        epochs: while state.epoch < config.epochs {
            let plan = config.plan(for: train, epoch: state.epoch)
            while state.batchInEpoch < plan.count {
                let batch = plan[state.batchInEpoch].map { index -> FineTuneExample in
                    guard let augmenter, config.augmentation > 0 else { return train[index] }
                    var random = BatchPlan.exampleRandom(seed: config.seed, epoch: state.epoch, index: index)
                    guard Double(random.nextUniform()) < config.augmentation else { return train[index] }
                    var obfuscated = augmenter(index, &random)
                    obfuscated.link = train[index].link
                    return obfuscated
                }
                let rate = schedule.rate(at: state.step)
                let stepStart = Date()
                let result = try step(batch, rate: rate, headRate: rate * headRatio)
                state.seconds += Date().timeIntervalSince(stepStart)
                state.step += 1
                state.batchInEpoch += 1
                state.tokens += result.tokens
                state.epochLossSum += result.loss * Double(batch.count)
                state.epochLossCount += batch.count
                recent.append(result.loss)
                if recent.count > 50 { recent.removeFirst() }
                let elapsed = Date().timeIntervalSince(started)
                progress(Progress(step: state.step, totalSteps: totalSteps, epoch: state.epoch + 1,
                                  loss: recent.reduce(0, +) / Double(recent.count),
                                  tokensPerSecond: elapsed > 0 ? Double(state.tokens - tokensAtStart) / elapsed : 0))
                if let checkpoint, config.checkpointEvery > 0, state.step % config.checkpointEvery == 0 {
                    try save(to: checkpoint, state: state, best: best)
                }
                if let stopAfterSteps, state.step >= stopAfterSteps {
                    interrupted = true
                    break epochs
                }
            }
            // End of epoch: validate on the calibration split, keep the best, maybe stop.
            let epochNumber = state.epoch + 1
            let trainLoss = state.epochLossSum / Double(max(state.epochLossCount, 1))
            var stop = false
            if !calibration.isEmpty {
                let loss = try calibrationLoss(calibration)
                state.history.append([Double(epochNumber), trainLoss, loss])
                log(String(format: "epoch %d  train loss %.4f  calibration loss %.4f", epochNumber, trainLoss, loss))
                if loss < state.bestLoss {
                    state.bestLoss = loss
                    state.bestEpoch = epochNumber
                    best = snapshot()
                } else if epochNumber - state.bestEpoch >= config.patience {
                    log("early stop: no improvement for \(config.patience) epoch(s); keeping epoch \(state.bestEpoch)")
                    stop = true
                }
            } else {
                state.history.append([Double(epochNumber), trainLoss, .nan])
            }
            state.epoch += 1
            state.batchInEpoch = 0
            state.epochLossSum = 0
            state.epochLossCount = 0
            if stop { state.epoch = config.epochs }
            if let checkpoint { try save(to: checkpoint, state: state, best: best) }
        }
        if !interrupted, let best { restoreSnapshot(best) }
        return Outcome(
            bestEpoch: state.bestEpoch, calibrationLoss: state.bestLoss,
            history: state.history.map { (Int($0[0]), $0[1], $0[2]) }, steps: state.step, tokens: state.tokens,
            seconds: state.seconds, interrupted: interrupted)
    }

    /// The weighted masked BCE of `examples` under the current parameters.
    public func calibrationLoss(_ examples: [FineTuneExample]) throws -> Double {
        let logits = try logits(examples)
        return MaskedBCE.lossAndGradient(
            logits: logits, targets: examples.map(\.target)[...], exampleWeights: examples.map(\.weight)[...],
            positiveWeights: positiveWeights).loss
    }

    /// Raw head logits `[examples, labels]` under the current parameters (forward only, length-sorted batches).
    public func logits(_ examples: [FineTuneExample], tokensPerBatch: Int = 4096) throws -> Matrix {
        var result = Matrix(rows: examples.count, columns: trainableHead.labels)
        let order = examples.indices.sorted { examples[$0].ids.count < examples[$1].ids.count }
        let needsHidden = configuration.pooledLayers != [encoder.configuration.layerCount]
        var start = 0
        while start < order.count {
            var end = start
            var tokens = 0
            while end < order.count, end == start || tokens + examples[order[end]].ids.count <= tokensPerBatch {
                tokens += examples[order[end]].ids.count
                end += 1
            }
            var batch = PackedBatch()
            for index in order[start..<end] { batch.append(tokenIDs: examples[index].ids, tokenTypeIDs: examples[index].typeIDs) }
            let output = try encoder.encode(
                batch, options: EncoderOptions(workers: configuration.workers, includeHiddenStates: needsHidden), workspace: evaluationWorkspace)
            let logits = trainableHead.forward(features(output, batch: batch)).logits
            result.withMutableView { out in
                logits.withView { rows in
                    for (r, index) in order[start..<end].enumerated() { out.row(index).update(from: rows.row(r), count: rows.columns) }
                }
            }
            start = end
        }
        return result
    }

    /// What fine-tuning changed, in the bundle's format: the adapters (LoRA) and the deltas of every other
    /// trained tensor, in Hugging Face names and layout.
    public func delta() -> EncoderDelta {
        var result = adapters?.delta() ?? EncoderDelta(rank: 0, alpha: 0)
        let baseEncoder = TrainingEncoder(copying: encoder.snapshot())
        baseEncoder.parameters.copy(from: base)
        var trained = Set<String>()
        for tensor in layout.tensors where workerGradients[0].trainable.contains(tensor.kind) { trained.insert(tensor.name) }
        guard !trained.isEmpty else { return result }
        // Compare in Hugging Face layout; the fused QKV maps to query/key/value.
        let current = encoder.weights.namedTensors()
        let original = baseEncoder.weights.namedTensors()
        for (now, then) in zip(current, original) {
            let packedName = now.name.replacingOccurrences(of: #"self\.(query|key|value)\."#, with: "self.qkv.", options: .regularExpression)
            guard trained.contains(packedName) else { continue }
            if adapters != nil && now.name.hasSuffix(".weight") && !now.name.contains("LayerNorm") { continue }
            let difference = zip(now.values, then.values).map { $0 - $1 }
            if difference.contains(where: { $0 != 0 }) { result.deltas[now.name] = difference }
        }
        return result
    }

    func snapshot() -> [[Float]] {
        slots.map(\.valueArray)
    }

    func restoreSnapshot(_ values: [[Float]]) {
        for (slot, saved) in zip(slots, values) { slot.setValues(saved) }
        synchronizeEncoder()
    }
}
