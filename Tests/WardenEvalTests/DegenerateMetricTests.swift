import Testing

@testable import WardenEval

@Suite("Metrics on degenerate samples return nil, never NaN or a crash")
struct DegenerateMetricTests {
    @Test("no positives")
    func noPositives() throws {
        let sample = try BinarySample(scores: [0.2, 0.4], truths: [false, false])
        #expect(sample.averagePrecision == nil)
        #expect(sample.rocAUC == nil)
        #expect(sample.bestF1 == nil)
        #expect(sample.recall(atFalsePositiveRate: 0.05) == nil)
        #expect(sample.precisionRecallCurve.isEmpty)
        #expect(sample.rocCurve.isEmpty)
        // Threshold 0.3 flags 0.4: TP 0, FP 1, TN 1. Precision 0/1, recall undefined,
        // F1 = 0 / (0 + 1 + 0) = 0, FPR 1/2.
        let counts = sample.confusion(at: 0.3)
        #expect(counts.precision == 0)
        #expect(counts.recall == nil)
        #expect(counts.f1 == 0)
        #expect(counts.falsePositiveRate == 0.5)
        // ECE: bins 2 and 4 hold one item each: (|0.2 − 0| + |0.4 − 0|) / 2 = 0.3
        #expect(isClose(sample.expectedCalibrationError(), 0.3))
        // Brier: (0.04 + 0.16) / 2 = 0.1
        #expect(isClose(sample.brierScore, 0.1))
    }

    @Test("all positives (one class)")
    func allPositives() throws {
        let sample = try BinarySample(scores: [0.3, 0.9], truths: [true, true])
        // Precision is 1 at every threshold, so AP = 1/2 · 1 + 1/2 · 1 = 1.
        #expect(sample.averagePrecision == 1)
        #expect(sample.rocAUC == nil)
        #expect(sample.recall(atFalsePositiveRate: 0.05) == nil)
        #expect(sample.rocCurve.isEmpty)
        // F1 at 0.9: 2/(1+0+2) = 2/3; at 0.3: 4/(2+0+2) = 1 → best at 0.3.
        #expect(sample.bestF1?.threshold == 0.3)
        #expect(sample.bestF1?.counts.f1 == 1)
        #expect(sample.confusion(at: 0.5).falsePositiveRate == nil)
    }

    @Test("nothing predicted positive")
    func nothingFlagged() throws {
        let counts = try BinarySample(scores: [0.1, 0.2], truths: [true, false]).confusion(at: 0.5)
        #expect(counts.precision == nil)
        #expect(counts.recall == 0)
        #expect(counts.f1 == 0)  // 0 / (0 + 0 + 1)
        #expect(counts.falsePositiveRate == 0)
    }

    @Test("empty input")
    func empty() throws {
        let sample = try BinarySample(scores: [], truths: [])
        #expect(sample.count == 0)
        #expect(sample.averagePrecision == nil)
        #expect(sample.rocAUC == nil)
        #expect(sample.bestF1 == nil)
        #expect(sample.recall(atFalsePositiveRate: 0.05) == nil)
        #expect(sample.expectedCalibrationError() == nil)
        #expect(sample.brierScore == nil)
        #expect(sample.reliabilityBins().allSatisfy { $0.count == 0 && $0.meanScore == nil })
        let counts = sample.confusion(at: 0.5)
        #expect(counts.precision == nil && counts.recall == nil && counts.f1 == nil && counts.falsePositiveRate == nil)
        let averagePrecision: Bootstrap.Statistic = { $0.averagePrecision }
        #expect(Bootstrap.interval(of: averagePrecision, on: sample) == nil)
    }

    @Test("invalid input is rejected with a message")
    func invalidInput() {
        #expect(throws: MetricError.countMismatch(scores: 2, truths: 1)) {
            try BinarySample(scores: [0.1, 0.2], truths: [true])
        }
        #expect(throws: MetricError.scoreOutOfRange(index: 1, value: 1.5)) {
            try BinarySample(scores: [0.1, 1.5], truths: [true, false])
        }
        #expect(throws: MetricError.self) { try BinarySample(scores: [.nan], truths: [true]) }
    }
}
