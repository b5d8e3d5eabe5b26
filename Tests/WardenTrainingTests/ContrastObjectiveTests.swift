import Foundation
import Testing
import WardenCore
import WardenEval
import WardenModel
import WardenTensor
@testable import WardenTraining

@Suite("Paired objective over contrast units")
struct ContrastObjectiveTests {
    static let links: [ContrastLink?] = [
        ContrastLink(group: 0, role: .harmful), nil, ContrastLink(group: 0, role: .harmless),
        ContrastLink(group: 1, role: .invariant), ContrastLink(group: 1, role: .invariant), ContrastLink(group: 1, role: .invariant),
        ContrastLink(group: 2, role: .harmful),  // its twin is in another batch: no term
    ]
    static let objective = ContrastObjective(pairWeight: 1.5, margin: 2, invarianceWeight: 3)

    static func logits(_ unsafe: [Float]) -> Matrix {
        Matrix(rows: unsafe.count, columns: 2, storage: unsafe.flatMap { [$0, 0.3] })
    }

    static func loss(_ unsafe: [Float]) -> Double {
        var gradient = Matrix(rows: unsafe.count, columns: 2)
        return objective.addLossAndGradient(logits: logits(unsafe), links: links, normalizer: 7, into: &gradient)
    }

    @Test("its gradient matches central differences and touches only linked rows of the unsafe column")
    func gradientMatchesDifferences() {
        let unsafe: [Float] = [0.4, 1.0, 0.9, -1.2, 0.5, 2.0, 3.0]
        var gradient = Matrix(rows: unsafe.count, columns: 2)
        _ = Self.objective.addLossAndGradient(logits: Self.logits(unsafe), links: Self.links, normalizer: 7, into: &gradient)
        for row in unsafe.indices {
            var up = unsafe, down = unsafe
            up[row] += 1e-2
            down[row] -= 1e-2
            let numeric = (Self.loss(up) - Self.loss(down)) / 2e-2
            #expect(abs(Double(gradient[row, 0]) - numeric) < 1e-3, "row \(row): \(gradient[row, 0]) vs \(numeric)")
            #expect(gradient[row, 1] == 0)
        }
        #expect(gradient[1, 0] == 0 && gradient[6, 0] == 0)
        // The pair pushes the harmful side up and its twin down; the invariance pulls the group to its mean.
        #expect(gradient[0, 0] < 0 && gradient[2, 0] > 0)
        #expect(gradient[3, 0] < 0 && gradient[5, 0] > 0)
    }

    @Test("it vanishes when the pair leads by far more than the margin and the group's logits agree")
    func vanishesWhenSatisfied() {
        #expect(Self.loss([9, 0, -9, 0.7, 0.7, 0.7, 1]) < 1e-6)
        #expect(Self.loss([0, 0, 0, 0.7, 0.7, 0.7, 1]) > 0.1)
        var gradient = Matrix(rows: 7, columns: 2)
        let off = ContrastObjective(pairWeight: 0, margin: 2, invarianceWeight: 0)
        #expect(!off.isActive && off.addLossAndGradient(logits: Self.logits([0, 0, 0, 1, 2, 3, 1]), links: Self.links, normalizer: 7, into: &gradient) == 0)
        #expect(gradient.storage.allSatisfy { $0 == 0 })
    }

    @Test("links tie each pair and cut each identity template into groups of at most four")
    func linksFromContrastItems() {
        func item(_ id: String, _ labels: [String: String], source: String = "warden_contrast") -> LabelledExample {
            LabelledExample(id: id, source: source, prompt: id, unsafe: false, origLabels: labels.mapValues { .string($0) })
        }
        var items = [
            item("p1-harmful", ["kind": "intent", "pair": "p1", "role": "harmful"]),
            item("other", [:], source: "toxicchat_train"),
            item("p1-harmless", ["kind": "intent", "pair": "p1", "role": "harmless"]),
            item("p2-harmless", ["kind": "narrative", "pair": "p2", "role": "harmless"]),
            item("held", ["kind": "intent", "pair": "p9", "role": "harmful"], source: "warden_contrast_heldout"),
        ]
        for g in 0..<6 { items.append(item("t1-g\(g)", ["kind": "identity", "template": "t1", "group": "g\(g)"])) }
        let links = ContrastLink.links(for: items)
        #expect(links[1] == nil && links[4] == nil)
        #expect(links[0]?.group == links[2]?.group && links[0]?.role == .harmful && links[2]?.role == .harmless)
        #expect(links[3] != nil && links[3]?.group != links[0]?.group)
        let templateGroups = links[5...].map { $0!.group }
        #expect(links[5...].allSatisfy { $0?.role == .invariant })
        #expect(Set(templateGroups).count == 2 && templateGroups.filter { $0 == templateGroups[0] }.count == 4)
    }

    @Test("grouped batch plans keep every unit in one batch, cover every example once and respect the batch size")
    func groupedPlan() {
        let keys = (0..<90).map { ($0 * 37) % 29 }
        let groups: [Int?] = (0..<90).map { $0 < 60 ? ($0 % 3 == 2 ? nil : $0 / 3) : ($0 < 84 ? 100 + ($0 - 60) / 4 : nil) }
        for epoch in 0..<3 {
            let plan = BatchPlan.batches(sortKeys: keys, groups: groups, batchSize: 8, bucketBatches: 2, seed: 3, epoch: epoch)
            #expect(plan.flatMap { $0 }.sorted() == Array(0..<90))
            #expect(plan.allSatisfy { $0.count <= 8 })
            var batchOf: [Int: Int] = [:]
            for (b, batch) in plan.enumerated() { for index in batch { batchOf[index] = b } }
            for group in Set(groups.compactMap { $0 }) {
                let members = groups.indices.filter { groups[$0] == group }
                #expect(Set(members.map { batchOf[$0]! }).count == 1, "group \(group) split across batches")
            }
            #expect(plan == BatchPlan.batches(sortKeys: keys, groups: groups, batchSize: 8, bucketBatches: 2, seed: 3, epoch: epoch))
        }
    }

    @Test("a tuner with the objective on trains, lowers the pair and invariance losses, and resumes exactly")
    func trainsAndResumes() throws {
        var train = tinyExamples(count: 24, seed: 11)
        for pair in 0..<4 {
            train[pair * 2].link = ContrastLink(group: pair, role: .harmful)
            train[pair * 2 + 1].link = ContrastLink(group: pair, role: .harmless)
        }
        for index in 8..<16 { train[index].link = ContrastLink(group: 10 + (index - 8) / 4, role: .invariant) }
        func tuner() -> FineTuner {
            var configuration = tinyTuner(.lora).configuration
            configuration.contrast = ContrastObjective(pairWeight: 4, margin: 2, invarianceWeight: 4)
            configuration.epochs = 3
            configuration.checkpointEvery = 2
            return FineTuner(encoder: TinyModel.encoder(), head: ClassifierHead(inputSize: 64, hiddenSize: 4, labels: 2, seed: 5),
                             configuration: configuration, positiveWeights: [2, 1])
        }
        let objectiveLoss = { (t: FineTuner) throws -> Double in
            var gradient = Matrix(rows: 16, columns: 2)
            return t.configuration.contrast.addLossAndGradient(
                logits: try t.logits(Array(train[0..<16])), links: train[0..<16].map(\.link), normalizer: 16, into: &gradient)
        }
        let whole = tuner()
        let before = try objectiveLoss(whole)
        _ = try whole.train(train, calibration: [])
        #expect(try objectiveLoss(whole) < before)

        let checkpoint = FileManager.default.temporaryDirectory.appendingPathComponent("contrast-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let killed = tuner()
        _ = try killed.train(train, calibration: [], checkpoint: checkpoint, stopAfterSteps: 5)
        let resumed = tuner()
        _ = try resumed.train(train, calibration: [], checkpoint: checkpoint, resume: true)
        for (a, b) in zip(whole.snapshot(), resumed.snapshot()) { #expect(a == b) }
    }
}
