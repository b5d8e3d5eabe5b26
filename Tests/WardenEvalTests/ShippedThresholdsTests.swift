import Testing
import WardenCore
@testable import WardenEval

@Suite("Operating point: thresholds for a false-positive target")
struct ShippedThresholdsTests {
    func example(_ id: Int, source: String = "benign", unsafe: Bool = false) -> LabelledExample {
        LabelledExample(id: "\(id)", source: source, prompt: "p\(id)", unsafe: unsafe)
    }

    @Test("the lowest threshold that flags at most the allowed count")
    func quantile() {
        let values = [0.9, 0.8, 0.8, 0.3, 0.1]
        #expect(ShippedThresholds.threshold(flaggingAtMost: 0, of: values) == 0.9.nextUp)
        #expect(ShippedThresholds.threshold(flaggingAtMost: 1, of: values) == 0.8.nextUp, "ties at 0.8 cannot be split")
        #expect(ShippedThresholds.threshold(flaggingAtMost: 3, of: values) == 0.3.nextUp)
        #expect(ShippedThresholds.threshold(flaggingAtMost: 5, of: values) == 0)
    }

    @Test("the decision-level rate holds across labels, categories stay at 0.5 or above")
    func decisionLevel() throws {
        // 100 benign items: unsafe scores 0.00 ... 0.99; item 99 also has a high hate score.
        var examples = (0..<100).map { example($0) }
        var scores = (0..<100).map { LabelScores(["unsafe": Double($0) / 100, "hate": $0 == 99 ? 0.95 : 0.01, "profanity": 0.9]) }
        // Unsafe items and other sources do not count.
        examples.append(example(100, unsafe: true))
        scores.append(LabelScores(["unsafe": 0.2, "hate": 0.2, "profanity": 0]))
        examples.append(example(101, source: "elsewhere"))
        scores.append(LabelScores(["unsafe": 0.99, "hate": 0.99, "profanity": 0]))

        let point = try ShippedThresholds.choose(
            examples: examples, scores: scores, labels: ["unsafe", "hate", "profanity"], fixed: ["profanity"],
            benignSources: ["benign"], split: "calibration", targetRate: 0.03, categoryRate: 0.01)
        #expect(point.benignItems == 100)
        #expect(point.thresholds["profanity"] == 0.5)
        #expect(point.thresholds["hate"]! >= 0.5)
        // Three false positives allowed; hate already flags item 99, so unsafe may flag two more (0.97, 0.98).
        #expect(point.thresholds["unsafe"] == 0.96.nextUp)
        #expect(point.achievedRate == 0.03)
    }

    @Test("the unsafe threshold never goes below the floor")
    func floor() throws {
        let examples = (0..<10).map { example($0) }
        let scores = (0..<10).map { _ in LabelScores(["unsafe": 0.001]) }
        let point = try ShippedThresholds.choose(examples: examples, scores: scores, labels: ["unsafe"], benignSources: ["benign"],
                                                 split: "calibration", targetRate: 0.5, unsafeFloor: 0.05)
        #expect(point.thresholds["unsafe"] == 0.05)
    }

    @Test("no benign items is an error naming the sources")
    func noBenign() {
        #expect(throws: EvaluationError.noBenignItems(sources: ["x"])) {
            try ShippedThresholds.choose(examples: [example(1, unsafe: true)], scores: [LabelScores(["unsafe": 1])],
                                         labels: ["unsafe"], benignSources: ["x"], split: "c", targetRate: 0.03)
        }
    }
}
