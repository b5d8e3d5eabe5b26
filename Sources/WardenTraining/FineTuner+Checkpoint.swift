import Foundation
import WardenModel

/// Why a checkpoint could not be used.
public enum FineTuneCheckpointError: Error, LocalizedError, Equatable {
    case missing(path: String)
    case mismatch(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .missing(let path):
            "No checkpoint at \(path); run without --resume to start from scratch."
        case .mismatch(let path, let reason):
            "The checkpoint \(path) belongs to another run (\(reason)); resume with the same data and options, or delete it."
        }
    }
}

extension FineTuner {
    /// A checkpoint is one safetensors file, written atomically: every trainable tensor (`param.<name>`), the AdamW
    /// moments (`adam_m.<name>`, `adam_v.<name>`), the best epoch's parameters (`best.<name>`) once there is one,
    /// and in the metadata the run state (step, epoch, position in the epoch, best loss, token and time counters,
    /// history) and a fingerprint of the configuration. The random state needs no saving: batch order and
    /// augmentation draw from generators seeded by (seed, epoch, example), so a resumed run replays them exactly.
    func save(to url: URL, state: RunState, best: [[Float]]?) throws {
        var tensors: [SafeTensorsWriter.Tensor] = []
        for (index, slot) in slots.enumerated() {
            tensors.append(.init(name: "param." + slot.name, shape: [slot.count], values: slot.valueArray))
            tensors.append(.init(name: "adam_m." + slot.name, shape: [slot.count], values: optimizer.first[index].toArray()))
            tensors.append(.init(name: "adam_v." + slot.name, shape: [slot.count], values: optimizer.second[index].toArray()))
            if let best { tensors.append(.init(name: "best." + slot.name, shape: [slot.count], values: best[index])) }
        }
        let metadata = [
            "format": "warden-finetune-checkpoint-v1",
            "state": String(decoding: try Self.stateEncoder.encode(state), as: UTF8.self),
            "adam_time": String(optimizer.time),
            "fingerprint": fingerprint,
            "random": "counter-based: seed \(configuration.seed), epoch \(state.epoch), batch \(state.batchInEpoch)",
        ]
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: url)
    }

    func restore(from url: URL, train: [FineTuneExample]) throws -> (RunState, [[Float]]?) {
        guard FileManager.default.fileExists(atPath: url.path) else { throw FineTuneCheckpointError.missing(path: url.path) }
        let file = try SafeTensorsFile(contentsOf: url)
        guard file.metadata["fingerprint"] == fingerprint else {
            throw FineTuneCheckpointError.mismatch(path: url.path, reason: "different options, head or base model")
        }
        guard let stateText = file.metadata["state"], let time = Int(file.metadata["adam_time"] ?? "") else {
            throw FineTuneCheckpointError.mismatch(path: url.path, reason: "no run state in the metadata")
        }
        let state = try Self.stateDecoder.decode(RunState.self, from: Data(stateText.utf8))
        let batches = configuration.contrast.isActive && state.epoch < configuration.epochs
            ? configuration.plan(for: train, epoch: state.epoch).count
            : (train.count + configuration.batchSize - 1) / configuration.batchSize
        guard state.batchInEpoch <= batches else {
            throw FineTuneCheckpointError.mismatch(path: url.path, reason: "it is \(state.batchInEpoch) batches into an epoch of \(batches)")
        }
        var best: [[Float]]? = file.contains("best." + slots[0].name) ? [] : nil
        for (index, slot) in slots.enumerated() {
            func load(_ prefix: String) throws -> [Float] { try file.floats(prefix + slot.name, shape: [slot.count]) }
            slot.setValues(try load("param."))
            optimizer.first[index].copy(from: try load("adam_m."))
            optimizer.second[index].copy(from: try load("adam_v."))
            if best != nil { best!.append(try file.floats("best." + slot.name, shape: [slot.count])) }
        }
        optimizer.restore(time: time)
        synchronizeEncoder()
        return (state, best)
    }

    private static let floats = (positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    private static var stateEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: floats.positiveInfinity, negativeInfinity: floats.negativeInfinity, nan: floats.nan)
        return encoder
    }
    private static var stateDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: floats.positiveInfinity, negativeInfinity: floats.negativeInfinity, nan: floats.nan)
        return decoder
    }

    /// What must match between a checkpoint and the run resuming it.
    var fingerprint: String {
        let c = configuration
        let shape = slots.map { "\($0.name):\($0.count)" }.joined(separator: ",")
        let text = "\(c.mode)|\(c.rank)|\(c.alpha)|\(c.pooledLayers)|\(c.epochs)|\(c.batchSize)|\(c.learningRate)|"
            + "\(c.headLearningRate ?? -1)|\(c.weightDecay)|\(c.warmupFraction)|\(c.clipNorm)|\(c.seed)|\(c.bucketBatches)|"
            + "\(c.augmentation)|\(positiveWeights)|\(shape)" + (c.dropout > 0 ? "|dropout \(c.dropout)" : "")
            + (c.contrast.isActive ? "|contrast \(c.contrast.pairWeight) \(c.contrast.margin) \(c.contrast.invarianceWeight)" : "")
        return String(DataSplit.fnv1a(text), radix: 16)
    }
}
