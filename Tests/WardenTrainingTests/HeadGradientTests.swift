import Testing
import WardenCore
import WardenModel
import WardenTensor
@testable import WardenTraining

@Suite("Head, loss and optimiser")
struct HeadGradientTests {
    func loss(_ head: ClassifierHead, _ x: Matrix, _ targets: [TrainingTarget], _ weights: [Float], _ pos: [Float]) -> Double {
        MaskedBCE.lossAndGradient(logits: head.forwardTrace(standardized: x).logits, targets: targets[...], exampleWeights: weights[...], positiveWeights: pos).loss
    }

    @Test("MLP head and masked weighted BCE gradients match finite differences", arguments: [0, 5])
    func gradients(hidden: Int) {
        var random = SplitMix64(seed: 3)
        let x = Matrix(rows: 4, columns: 3, storage: (0..<12).map { _ in random.nextUniform() * 2 - 1 })
        let targets = [
            TrainingTarget(values: [1, 0], mask: [1, 1]), TrainingTarget(values: [0, 1], mask: [1, 0]),
            TrainingTarget(values: [1, 1], mask: [1, 1]), TrainingTarget(values: [0, 0], mask: [0, 1]),
        ]
        let weights: [Float] = [1, 2, 0.5, 1]
        let pos: [Float] = [2, 1]
        let head = ClassifierHead(inputSize: 3, hiddenSize: hidden, labels: 2, seed: 11)
        let trace = head.forwardTrace(standardized: x)
        let gradient = MaskedBCE.lossAndGradient(logits: trace.logits, targets: targets[...], exampleWeights: weights[...], positiveWeights: pos).gradient
        let g = head.backward(trace, logitGradient: gradient)
        let eps: Float = 1e-2
        for i in 0..<head.w1.count {
            var plus = head, minus = head
            plus.w1.updateStorage { $0[i] += eps }
            minus.w1.updateStorage { $0[i] -= eps }
            let numeric = (loss(plus, x, targets, weights, pos) - loss(minus, x, targets, weights, pos)) / Double(2 * eps)
            #expect(abs(numeric - Double(g.w1.storage[i])) < 2e-3, "w1[\(i)]: numeric \(numeric) analytic \(g.w1.storage[i])")
        }
        for i in 0..<head.b1.count {
            var plus = head, minus = head
            plus.b1[i] += eps
            minus.b1[i] -= eps
            let numeric = (loss(plus, x, targets, weights, pos) - loss(minus, x, targets, weights, pos)) / Double(2 * eps)
            #expect(abs(numeric - Double(g.b1[i])) < 2e-3, "b1[\(i)]")
        }
        for i in 0..<head.w2.count {
            var plus = head, minus = head
            plus.w2.updateStorage { $0[i] += eps }
            minus.w2.updateStorage { $0[i] -= eps }
            let numeric = (loss(plus, x, targets, weights, pos) - loss(minus, x, targets, weights, pos)) / Double(2 * eps)
            #expect(abs(numeric - Double(g.w2.storage[i])) < 2e-3, "w2[\(i)]")
        }
    }

    @Test("a masked label contributes neither loss nor gradient")
    func masking() {
        let logits = Matrix([[3, -2]])
        let known = MaskedBCE.lossAndGradient(logits: logits, targets: [TrainingTarget(values: [0, 1], mask: [1, 0])][...],
                                              exampleWeights: [1][...], positiveWeights: [1, 1])
        #expect(known.gradient[0, 1] == 0)
        // Loss of label 0 alone: -log(1 - sigmoid(3)) = log(1 + e^3).
        #expect(abs(known.loss - 3.048587) < 1e-4)
    }

    @Test("positive weights: sqrt of the negative/positive ratio, clamped")
    func positiveWeights() {
        let targets = [TrainingTarget(values: [1], mask: [1])] + Array(repeating: TrainingTarget(values: [0], mask: [1]), count: 16)
        #expect(MaskedBCE.positiveWeights(for: targets, labels: 1, maximum: 8) == [4])
        #expect(MaskedBCE.positiveWeights(for: targets, labels: 1, maximum: 3) == [3])
    }

    @Test("the head learns a separable problem and stops early on the calibration split")
    func learns() {
        var random = SplitMix64(seed: 5)
        func set(_ n: Int) -> FeatureSet {
            var rows: [Float] = []
            var targets: [TrainingTarget] = []
            for _ in 0..<n {
                let a = random.nextUniform() * 2 - 1, b = random.nextUniform() * 2 - 1
                rows += [a, b]
                targets.append(TrainingTarget(values: [a + b > 0 ? 1 : 0], mask: [1]))
            }
            return FeatureSet(features: Matrix(rows: n, columns: 2, storage: rows), targets: targets, weights: Array(repeating: 1, count: n))
        }
        var configuration = HeadTrainingConfiguration()
        configuration.hiddenSize = 8
        configuration.epochs = 30
        configuration.batchSize = 32
        configuration.learningRate = 0.02
        let train = set(400), calibration = set(100)
        let outcome = HeadTrainer(configuration: configuration).train(train, calibration: calibration)
        let logits = outcome.head.logits(calibration.features)
        let correct = (0..<calibration.count).filter { (logits[$0, 0] > 0) == (calibration.targets[$0].values[0] > 0.5) }.count
        #expect(correct >= 95, "accuracy \(correct)/100")
        let calibrations = Calibrator.fit(logits: logits, targets: calibration.targets, labels: ["unsafe"])
        #expect(calibrations["unsafe"]!.scale > 0)
    }

    @Test("linear schedule warms up then decays to zero")
    func schedule() {
        let s = LinearSchedule(peak: 1, warmupSteps: 4, totalSteps: 12)
        #expect(s.rate(at: 0) == 0.25)
        #expect(s.rate(at: 3) == 1)
        #expect(s.rate(at: 8) == 0.5)
        #expect(s.rate(at: 12) == 0)
    }
}
