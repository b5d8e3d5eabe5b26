import Foundation
import WardenCore
import WardenModel
import WardenTensor

/// Fine-tunes the encoder (LoRA or full) together with a classification head on pooled layers.
///
/// Owns a ``TrainingEncoder`` (a private copy of the encoder) whose parameters it updates between steps. A step splits
/// the batch into one share per worker; each worker runs the training forward pass and, after the head and
/// loss have been computed on the whole batch, the backward pass into its own gradient buffers; the shares
/// are summed in a fixed order, so results do not depend on thread timing.
public final class FineTuner {
    public let configuration: FineTuneConfiguration
    public let encoder: TrainingEncoder
    public let trainableHead: TrainableHead
    public let adapters: LoRAAdapters?
    public let positiveWeights: [Float]
    /// The frozen base parameters (packed layout): LoRA merges onto them, deltas are measured against them.
    let base: FloatBuffer
    let layout: EncoderParameterLayout
    let workerGradients: [EncoderGradients]
    let workerAdapterGradients: [LoRAGradients]
    let slots: [ParameterSlot]
    let optimizer: SlotOptimizer
    /// Scratch (and the encoder's worker threads) for forward-only evaluation, kept between calls.
    let evaluationWorkspace = EncoderWorkspace()
    /// Head slots use their own peak rate when ``FineTuneConfiguration/headLearningRate`` is set.
    let headSlotCount: Int

    public init(encoder baseEncoder: Encoder, head: ClassifierHead, configuration: FineTuneConfiguration, positiveWeights: [Float]) {
        precondition(Set(configuration.pooledLayers).count == configuration.pooledLayers.count, "pooled layers must be distinct")
        precondition(head.inputSize == baseEncoder.configuration.hiddenSize * configuration.pooledLayers.count,
                     "head input \(head.inputSize) does not match \(configuration.pooledLayers.count) pooled layers")
        self.configuration = configuration
        self.positiveWeights = positiveWeights
        let encoder = TrainingEncoder(copying: baseEncoder)
        let layout = encoder.parameterLayout
        let base = FloatBuffer(capacity: layout.capacity)
        base.copy(from: encoder.parameters)
        self.encoder = encoder
        self.layout = layout
        self.base = base
        trainableHead = TrainableHead(head)

        var trainable: Set<EncoderParameterKind>
        switch configuration.mode {
        case .full:
            trainable = Set(EncoderParameterKind.allCases)
            if !configuration.trainWordEmbeddings { trainable.remove(.wordEmbeddings) }
            self.adapters = nil
        case .lora:
            trainable = configuration.trainNormsAndBiases ? [.layerNorm, .bias] : []
            self.adapters = LoRAAdapters(configuration: encoder.configuration, rank: configuration.rank, alpha: configuration.alpha,
                                    seed: configuration.seed &+ 1)
        }
        let workers = max(1, configuration.workers)
        let adapters = self.adapters
        let workerGradients = (0..<workers).map { _ in EncoderGradients(layout: layout, trainable: trainable) }
        let workerAdapterGradients = adapters.map { a in (0..<workers).map { _ in LoRAGradients(adapters: a) } } ?? []
        self.workerGradients = workerGradients
        self.workerAdapterGradients = workerAdapterGradients
        if let adapters {
            for (gradients, adapterGradients) in zip(workerGradients, workerAdapterGradients) {
                let scale = adapters.scale, rank = adapters.rank
                gradients.linearHook = { layer, linear, x, dy in
                    LoRAAdapters.accumulate(site: adapters.site(layer: layer, linear: linear), gradients: adapterGradients,
                                            scale: scale, rank: rank, input: x, outputGradient: dy)
                }
            }
        }
        var encoderSlots: [ParameterSlot] = []
        for tensor in layout.tensors where trainable.contains(tensor.kind) {
            encoderSlots.append(ParameterSlot(
                name: tensor.name, values: encoder.parameters, gradients: workerGradients[0].buffer, offset: tensor.offset, count: tensor.count,
                decay: tensor.kind != .bias && tensor.kind != .layerNorm))
        }
        let headSlots = trainableHead.slots
        let slots = encoderSlots + (adapters?.slots ?? []) + headSlots
        self.slots = slots
        headSlotCount = headSlots.count
        optimizer = SlotOptimizer(slots: slots, learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
        optimizer.workers = workers
        synchronizeEncoder()
    }

    /// Trainable parameters of the encoder side (adapters, or encoder tensors) and of the head.
    public var trainableParameterCount: Int { slots.reduce(0) { $0 + $1.count } }

    /// Writes the adapters into the encoder's weights (after every optimiser step).
    func synchronizeEncoder() {
        adapters?.merge(into: encoder, base: base)
    }

    // MARK: - One step

    public struct StepResult: Sendable {
        public var loss: Double
        public var tokens: Int
        public var gradientNorm: Double
    }

    /// Forward, backward and one optimiser step on `batch` at learning rates `rate` (encoder) and `headRate`.
    func step(_ batch: [FineTuneExample], rate: Float, headRate: Float) throws -> StepResult {
        let (loss, tokens) = try computeGradients(batch)
        let norm = SlotOptimizer.clip(slots, maximum: configuration.clipNorm)
        applyOptimizer(rate: rate, headRate: headRate)
        synchronizeEncoder()
        return StepResult(loss: loss, tokens: tokens, gradientNorm: norm)
    }

    /// The loss of `batch` and the gradients of every slot (left in the slots' gradient buffers).
    func computeGradients(_ batch: [FineTuneExample]) throws -> (loss: Double, tokens: Int) {
        let shares = Self.shares(batch.map(\.ids.count), workers: workerGradients.count)
        let passes = shares.map { share -> WorkerPass in
            var packed = PackedBatch()
            for index in share { packed.append(tokenIDs: batch[index].ids, tokenTypeIDs: batch[index].typeIDs) }
            return WorkerPass(examples: share, batch: packed)
        }
        let context = StepContext(tuner: self, passes: passes)
        var failure: (any Error)?
        Parallel.run(workers: passes.count) { w in context.forward(w) }
        for pass in passes { if let error = pass.error { failure = error } }
        if let failure { throw failure }

        // Head and loss on the whole batch.
        let width = encoder.configuration.hiddenSize
        let layers = configuration.pooledLayers
        var features = Matrix(rows: batch.count, columns: width * layers.count)
        features.withMutableView { out in
            for pass in passes {
                pass.features!.withView { rows in
                    for (r, index) in pass.examples.enumerated() { out.row(index).update(from: rows.row(r), count: rows.columns) }
                }
            }
        }
        trainableHead.zeroGradients()
        let trace = trainableHead.forward(features)
        var (loss, logitGradient) = MaskedBCE.lossAndGradient(
            logits: trace.logits, targets: batch.map(\.target)[...], exampleWeights: batch.map(\.weight)[...],
            positiveWeights: positiveWeights)
        loss += configuration.contrast.addLossAndGradient(
            logits: trace.logits, links: batch.map(\.link),
            normalizer: MaskedBCE.normalizer(targets: batch.map(\.target)[...], exampleWeights: batch.map(\.weight)[...]),
            into: &logitGradient)
        let featureGradient = trainableHead.backward(trace, logitGradient: logitGradient)
        for pass in passes {
            var pooled: [Int: Matrix] = [:]
            for (slot, layer) in layers.enumerated() {
                var g = Matrix(rows: pass.examples.count, columns: width)
                g.withMutableView { out in
                    featureGradient.withView { all in
                        for (r, index) in pass.examples.enumerated() {
                            out.row(r).update(from: all.row(index) + slot * width, count: width)
                        }
                    }
                }
                pooled[layer] = g
            }
            pass.pooledGradients = pooled
        }
        Parallel.run(workers: passes.count) { w in context.backward(w) }
        reduceWorkerGradients(count: passes.count)
        return (loss, batch.reduce(0) { $0 + $1.ids.count })
    }

    private func applyOptimizer(rate: Float, headRate: Float) {
        if headRate == rate {
            optimizer.step(slots, rate: rate)
        } else {
            optimizer.step(slots, rates: slots.indices.map { $0 >= slots.count - headSlotCount ? headRate : rate })
        }
    }

    /// Sums every worker's gradients into worker 0's buffers (which the slots point at), in worker order.
    private func reduceWorkerGradients(count: Int) {
        let first = workerGradients[0]
        for w in 1..<max(count, 1) {
            let other = workerGradients[w]
            for tensor in layout.tensors where first.trainable.contains(tensor.kind) {
                let target = first.buffer.base + tensor.offset, source = other.buffer.base + tensor.offset
                for j in 0..<tensor.count { target[j] += source[j] }
            }
        }
        if let adapters {
            for w in 0..<count { workerAdapterGradients[w].add(into: adapters, overwrite: w == 0) }
        }
    }

    /// Splits example indices into `workers` shares of similar token counts (greedy, deterministic, in order).
    static func shares(_ lengths: [Int], workers: Int) -> [[Int]] {
        guard workers > 1, lengths.count > 1 else { return [Array(lengths.indices)] }
        var shares = [[Int]](repeating: [], count: min(workers, lengths.count))
        var loads = [Int](repeating: 0, count: shares.count)
        for index in lengths.indices.sorted(by: { lengths[$0] == lengths[$1] ? $0 < $1 : lengths[$0] > lengths[$1] }) {
            let target = loads.indices.min { loads[$0] == loads[$1] ? $0 < $1 : loads[$0] < loads[$1] }!
            shares[target].append(index)
            loads[target] += lengths[index] * lengths[index] / 64 + lengths[index]
        }
        return shares.map { $0.sorted() }.filter { !$0.isEmpty }
    }

    /// Mean-pooled features of the configured layers from a training forward pass.
    func features(_ output: EncoderOutput, batch: PackedBatch) -> Matrix {
        Pooling.layerMeans(output, layers: configuration.pooledLayers, layerCount: encoder.configuration.layerCount, batch: batch)
    }
}

extension FineTuner {
    /// Dropout masks of worker `w` in the coming step: seeded by (seed, optimiser step, worker), so a resumed run
    /// draws the same masks.
    func dropout(worker w: Int) -> Dropout? {
        guard configuration.dropout > 0 else { return nil }
        var generator = SplitMix64(seed: configuration.seed ^ 0x5DEE_CE66_D1CE_D0E5)
        let base = generator.next()
        return Dropout(rate: configuration.dropout, seed: base &+ UInt64(optimizer.time) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(w))
    }
}

/// One worker's share of a step.
final class WorkerPass {
    let examples: [Int]
    let batch: PackedBatch
    var activations: EncoderActivations?
    var features: Matrix?
    var pooledGradients: [Int: Matrix] = [:]
    var error: (any Error)?

    init(examples: [Int], batch: PackedBatch) {
        self.examples = examples
        self.batch = batch
    }
}

/// What the parallel regions of a step touch; each worker writes only its own ``WorkerPass`` and gradient buffers.
struct StepContext: @unchecked Sendable {
    let tuner: FineTuner
    let passes: [WorkerPass]

    func forward(_ w: Int) {
        let pass = passes[w]
        do {
            let (output, activations) = try tuner.encoder.encodeForTraining(
                pass.batch, options: EncoderOptions(workers: 1, dropout: tuner.dropout(worker: w)))
            pass.activations = activations
            pass.features = tuner.features(output, batch: pass.batch)
        } catch {
            pass.error = error
        }
    }

    func backward(_ w: Int) {
        let pass = passes[w]
        tuner.workerGradients[w].zero()
        if !tuner.workerAdapterGradients.isEmpty { tuner.workerAdapterGradients[w].zero() }
        tuner.encoder.backward(pass.activations!, pooledGradients: pass.pooledGradients, gradients: tuner.workerGradients[w])
        pass.activations = nil
    }
}
