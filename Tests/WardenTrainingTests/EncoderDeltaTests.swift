import Foundation
import Testing
import WardenCore
import WardenModel
import WardenTensor
@testable import WardenTraining

@Suite("Encoder deltas: adapters merged at load time, batch plans")
struct EncoderDeltaTests {
    @Test("a trained tuner's delta, written and read back and merged into the base, reproduces its encoder",
          arguments: [FineTuneConfiguration.Mode.lora, .full])
    func deltaRoundTrip(mode: FineTuneConfiguration.Mode) throws {
        let tuner = tinyTuner(mode)
        // A few steps with a large rate so every adapter, bias and norm moves noticeably.
        let examples = tinyExamples(count: 12, seed: 6)
        for start in stride(from: 0, to: 12, by: 4) {
            _ = try tuner.step(Array(examples[start..<start + 4]), rate: 0.05, headRate: 0.05)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("delta-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let delta = tuner.delta()
        if mode == .lora {
            #expect(delta.adapters.count == 8 && delta.rank == 2)
            #expect(delta.deltas.keys.allSatisfy { $0.hasSuffix(".bias") || $0.contains("LayerNorm") })
            #expect(delta.deltas["encoder.layer.1.attention.self.key.bias"] != nil)
        } else {
            #expect(delta.adapters.isEmpty && delta.deltas["encoder.layer.0.attention.self.query.weight"] != nil)
        }
        try delta.write(to: url)
        let loaded = try EncoderDelta.load(from: url)
        #expect(loaded == delta)
        let merged = Encoder(configuration: TinyModel.configuration, weights: try TinyModel.weights().applying(loaded))
        let batch = TinyModel.batch()
        let expected = try tuner.encoder.encode(batch)
        let actual = try merged.encode(batch)
        let base = try TinyModel.encoder().encode(batch)
        let moved = zip(base.lastHiddenState.storage, expected.lastHiddenState.storage).map { abs($0 - $1) }.max()!
        let error = zip(actual.lastHiddenState.storage, expected.lastHiddenState.storage).map { abs($0 - $1) }.max()!
        #expect(moved > 1e-2, "training changed the encoder")
        #expect(error < 1e-4, "merged encoder differs from the trained one by \(error)")
    }

    @Test("a delta naming a tensor the base does not have is refused")
    func unknownTensor() {
        let delta = EncoderDelta(rank: 0, alpha: 0, deltas: ["encoder.layer.9.output.dense.bias": [1]])
        #expect(throws: EncoderDeltaError.self) { try TinyModel.weights().applying(delta) }
    }

    @Test("batch plans cover every example once, bucket by length and depend only on seed and epoch")
    func batchPlan() {
        let keys = (0..<103).map { ($0 * 37) % 29 }
        let plan = BatchPlan.batches(sortKeys: keys, batchSize: 8, bucketBatches: 3, seed: 1, epoch: 0)
        #expect(plan.flatMap { $0 }.sorted() == Array(0..<103))
        #expect(plan == BatchPlan.batches(sortKeys: keys, batchSize: 8, bucketBatches: 3, seed: 1, epoch: 0))
        #expect(plan != BatchPlan.batches(sortKeys: keys, batchSize: 8, bucketBatches: 3, seed: 1, epoch: 1))
        for batch in plan { #expect(batch.map { keys[$0] } == batch.map { keys[$0] }.sorted()) }
        // Whole-epoch sorting (the reference recipe): consecutive batches never overlap in length.
        let sorted = BatchPlan.batches(sortKeys: keys, batchSize: 8, bucketBatches: 0, seed: 1, epoch: 0)
        let spans = sorted.map { ($0.map { keys[$0] }.min()!, $0.map { keys[$0] }.max()!) }.sorted { $0.0 < $1.0 }
        for (a, b) in zip(spans, spans.dropFirst()) { #expect(a.1 <= b.0) }
    }
}
