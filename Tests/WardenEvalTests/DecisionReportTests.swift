import Testing
import WardenCore
@testable import WardenEval

@Suite("Deployment decisions against the truth")
struct DecisionReportTests {
    static func example(_ id: Int, unsafe: Bool, source: String = "toxicchat_train") -> LabelledExample {
        LabelledExample(id: "d\(id)", source: source, prompt: "p\(id)", unsafe: unsafe)
    }

    @Test("flagged counts review and block, blocked counts block; errors are tallied apart and not scored")
    func counts() {
        // 4 unsafe: block, review, allow, error. 4 safe: allow, allow, review (a realistic benign source), block.
        let examples = (0..<4).map { Self.example($0, unsafe: true) } + (4..<8).map { Self.example($0, unsafe: false) }
        let decisions: [Decision?] = [.block, .review, .allow, nil, .allow, .allow, .review, .block]
        var options = EvaluationOptions()
        options.bootstrap.resamples = 200
        let report = DecisionReport(policy: "default", examples: examples, decisions: decisions, options: options)
        #expect(report.decisions == ["block": 2, "review": 2, "allow": 3, "error": 1])
        #expect(report.flagged.counts == ConfusionCounts(truePositives: 2, falsePositives: 2, trueNegatives: 2, falseNegatives: 1))
        #expect(report.blocked.counts == ConfusionCounts(truePositives: 1, falsePositives: 1, trueNegatives: 3, falseNegatives: 2))
        #expect(report.flagged.precision?.value == 0.5)
        #expect(abs((report.flagged.recall?.value ?? 0) - 2.0 / 3.0) < 1e-12)
        // Precision has an interval like the others, and it brackets the estimate.
        let interval = try! #require(report.flagged.precision?.interval)
        #expect(interval.lower <= 0.5 && 0.5 <= interval.upper)
        #expect(report.realisticBenignFlagged?.value == 0.5)
        #expect(report.markdown.contains("| flagged | 0.500"))
    }

    @Test("the classifier report gives precision an interval too")
    func precisionInterval() throws {
        let report = try ReportFixture.report()
        let unsafe = try #require(report.labels.first { $0.label == "unsafe" })
        let interval = try #require(unsafe.precisionInterval)
        let precision = try #require(unsafe.precision)
        #expect(interval.lower <= precision && precision <= interval.upper)
    }
}
