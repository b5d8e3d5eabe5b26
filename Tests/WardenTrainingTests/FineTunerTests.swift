import Foundation
import Testing
import WardenCore
import WardenModel
import WardenTensor
@testable import WardenTraining

/// Tiny labelled examples: label 0 is "contains token 7", label 1 is masked on odd examples.
func tinyExamples(count: Int, seed: UInt64) -> [FineTuneExample] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { index in
        let length = 3 + random.index(below: 10)
        var ids = [1] + (0..<(length - 1)).map { _ in 2 + random.index(below: 47) }
        if index % 3 == 0 { ids[1 + random.index(below: length - 1)] = 7 }
        let types = ids.indices.map { $0 > length / 2 && index % 2 == 0 ? 1 : 0 }
        let positive: Float = ids.contains(7) ? 1 : 0
        return FineTuneExample(
            ids: ids, typeIDs: types,
            target: TrainingTarget(values: [positive, Float(index % 2)], mask: [1, index % 2 == 0 ? 1 : 0]),
            weight: index % 4 == 0 ? 2 : 1)
    }
}

func tinyTuner(_ mode: FineTuneConfiguration.Mode, workers: Int = 2, layers: [Int] = [1, 2], hidden: Int = 4) -> FineTuner {
    var configuration = FineTuneConfiguration()
    configuration.mode = mode
    configuration.rank = 2
    configuration.alpha = 4
    configuration.pooledLayers = layers
    configuration.batchSize = 4
    configuration.epochs = 2
    configuration.learningRate = 1e-2
    configuration.workers = workers
    configuration.bucketBatches = 2
    let head = ClassifierHead(inputSize: 32 * layers.count, hiddenSize: hidden, labels: 2, seed: 5)
    return FineTuner(encoder: TinyModel.encoder(), head: head, configuration: configuration, positiveWeights: [2, 1])
}

@Suite("Fine-tuning: adapters, head and loss end to end")
struct FineTunerTests {
    /// The batch loss under the tuner's current parameters (forward only).
    static func loss(_ tuner: FineTuner, _ batch: [FineTuneExample]) throws -> Double {
        let logits = try tuner.logits(batch)
        return MaskedBCE.lossAndGradient(
            logits: logits, targets: batch.map(\.target)[...], exampleWeights: batch.map(\.weight)[...],
            positiveWeights: tuner.positiveWeights).loss
    }

    @Test("LoRA A/B, LayerNorm, bias and head gradients match central differences", arguments: [1, 2])
    func loraGradients(workers: Int) throws {
        let tuner = tinyTuner(.lora, workers: workers)
        // B starts at zero (so dA would be 0); give it values so both factors are exercised.
        var random = SplitMix64(seed: 9)
        for slot in tuner.slots where slot.name.hasSuffix("lora_b") {
            for i in 0..<slot.count { slot[value: i] = (random.nextUniform() * 2 - 1) * 0.3 }
        }
        tuner.synchronizeEncoder()
        let batch = tinyExamples(count: 6, seed: 3)
        _ = try tuner.computeGradients(batch)
        var checked = 0
        for slot in tuner.slots {
            let analyticAll = slot.gradientArray
            let indices = [analyticAll.indices.max { abs(analyticAll[$0]) < abs(analyticAll[$1]) }!, random.index(below: slot.count)]
            for index in indices {
                let numeric = centralDifference(h: 5e-3) { h in
                    let saved = slot[value: index]
                    slot[value: index] = saved + Float(h)
                    tuner.synchronizeEncoder()
                    defer { slot[value: index] = saved; tuner.synchronizeEncoder() }
                    return (try? Self.loss(tuner, batch)) ?? .nan
                }
                #expect(agree(Double(analyticAll[index]), numeric, relative: 3e-2, absolute: 3e-4),
                        "\(slot.name)[\(index)]: analytic \(analyticAll[index]) numeric \(numeric)")
                checked += 1
            }
        }
        #expect(checked >= 2 * (2 * 4 * 2 + 4))
    }

    @Test("full fine-tuning gradients (embeddings included) match central differences")
    func fullGradients() throws {
        let tuner = tinyTuner(.full, layers: [2], hidden: 0)
        let batch = tinyExamples(count: 5, seed: 4)
        _ = try tuner.computeGradients(batch)
        var random = SplitMix64(seed: 2)
        for slot in tuner.slots {
            let analytic = slot.gradientArray
            for index in [analytic.indices.max { abs(analytic[$0]) < abs(analytic[$1]) }!, random.index(below: slot.count)] {
                let numeric = centralDifference(h: 5e-3) { h in
                    let saved = slot[value: index]
                    slot[value: index] = saved + Float(h)
                    defer { slot[value: index] = saved }
                    return (try? Self.loss(tuner, batch)) ?? .nan
                }
                #expect(agree(Double(analytic[index]), numeric, relative: 3e-2, absolute: 3e-4),
                        "\(slot.name)[\(index)]: analytic \(analytic[index]) numeric \(numeric)")
            }
        }
    }

    @Test("a killed run resumed from its checkpoint ends in exactly the uninterrupted run's state", arguments: [Float(0), 0.2])
    func resumeMatchesUninterrupted(dropout: Float) throws {
        let train = tinyExamples(count: 22, seed: 1)
        let calibration = tinyExamples(count: 8, seed: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-ft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("run.safetensors")

        var wholeConfiguration = tinyTuner(.lora).configuration
        wholeConfiguration.dropout = dropout
        let whole = FineTuner(encoder: TinyModel.encoder(), head: ClassifierHead(inputSize: 64, hiddenSize: 4, labels: 2, seed: 5),
                              configuration: wholeConfiguration, positiveWeights: [2, 1])
        let wholeOutcome = try whole.train(train, calibration: calibration)
        #expect(wholeOutcome.steps == 12 && !wholeOutcome.interrupted)
        if dropout > 0 {
            let plain = tinyTuner(.lora)
            _ = try plain.train(train, calibration: calibration)
            #expect(plain.snapshot() != whole.snapshot(), "dropout changed nothing")
        }

        var configuration = whole.configuration
        configuration.checkpointEvery = 3
        let killed = FineTuner(encoder: TinyModel.encoder(), head: ClassifierHead(inputSize: 64, hiddenSize: 4, labels: 2, seed: 5),
                               configuration: configuration, positiveWeights: [2, 1])
        let first = try killed.train(train, calibration: calibration, checkpoint: checkpoint, stopAfterSteps: 8)
        #expect(first.interrupted && first.steps == 8)  // the last checkpoint is from step 6: steps 7 and 8 are replayed
        let resumed = FineTuner(encoder: TinyModel.encoder(), head: ClassifierHead(inputSize: 64, hiddenSize: 4, labels: 2, seed: 5),
                                configuration: configuration, positiveWeights: [2, 1])
        let second = try resumed.train(train, calibration: calibration, checkpoint: checkpoint, resume: true)
        #expect(second.steps == 12 && second.bestEpoch == wholeOutcome.bestEpoch)
        for (a, b) in zip(whole.snapshot(), resumed.snapshot()) { #expect(a == b) }
        #expect(second.history.map(\.calibrationLoss) == wholeOutcome.history.map(\.calibrationLoss))
    }

    @Test("a checkpoint from other options is refused with a message naming the file")
    func checkpointMismatch() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warden-ft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("run.safetensors")
        _ = try tinyTuner(.lora).train(tinyExamples(count: 8, seed: 1), calibration: [], checkpoint: checkpoint, stopAfterSteps: 1)
        let other = tinyTuner(.full)
        #expect(throws: FineTuneCheckpointError.self) {
            try other.train(tinyExamples(count: 8, seed: 1), calibration: [], checkpoint: checkpoint, resume: true)
        }
    }

    @Test("training lowers the calibration loss", arguments: [FineTuneConfiguration.Mode.lora, .full])
    func learns(mode: FineTuneConfiguration.Mode) throws {
        let tuner = tinyTuner(mode)
        let calibration = tinyExamples(count: 30, seed: 8)
        let before = try tuner.calibrationLoss(calibration)
        let outcome = try tuner.train(tinyExamples(count: 60, seed: 7), calibration: calibration)
        #expect(outcome.calibrationLoss < before, "before \(before), after \(outcome.calibrationLoss)")
    }
}
