import Testing

@testable import WardenEval

@Suite("Calibration metrics")
struct CalibrationMetricTests {
    @Test("ECE over ten bins, one item per bin")
    func eceOnePerBin() throws {
        // score 0.9 0.8 0.7 0.6 0.5 0.4 / truth T F T T F F, each alone in bins 9…4:
        // |0.9−1| + |0.8−0| + |0.7−1| + |0.6−1| + |0.5−0| + |0.4−0| = 0.1+0.8+0.3+0.4+0.5+0.4 = 2.5
        // ECE = 2.5 / 6
        let sample = try BinarySample(
            scores: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4], truths: [true, false, true, true, false, false])
        #expect(isClose(sample.expectedCalibrationError(), 2.5 / 6, tolerance: 1e-12))
        // Brier: (0.01 + 0.64 + 0.09 + 0.16 + 0.25 + 0.16) / 6 = 1.31 / 6
        #expect(isClose(sample.brierScore, 1.31 / 6, tolerance: 1e-12))
    }

    @Test("ECE averages within a bin before taking the gap")
    func eceSharedBin() throws {
        // Bin 2 holds 0.22, 0.28 (mean 0.25) with truths T, F (rate 0.5): gap 0.25, weight 2/4.
        // Bin 9 holds 0.95, 1.0 (mean 0.975) with truths T, T (rate 1): gap 0.025, weight 2/4.
        // ECE = 0.5 · 0.25 + 0.5 · 0.025 = 0.1375
        let sample = try BinarySample(scores: [0.22, 0.28, 0.95, 1.0], truths: [true, false, true, true])
        #expect(isClose(sample.expectedCalibrationError(), 0.1375, tolerance: 1e-12))
        let bins = sample.reliabilityBins()
        #expect(bins.count == 10)
        #expect(bins[2].count == 2 && isClose(bins[2].meanScore, 0.25) && bins[2].positiveRate == 0.5)
        #expect(bins[9].count == 2 && bins[9].positiveRate == 1)  // 1.0 lands in the last bin
        #expect(bins[5].count == 0 && bins[5].meanScore == nil && bins[5].positiveRate == nil)
        #expect(bins[0].lower == 0 && bins[9].upper == 1)
    }

    @Test("a perfectly calibrated sample has ECE 0")
    func perfect() throws {
        // Bin 5 holds four items scored 0.5, two of them positive: gap 0.
        let sample = try BinarySample(scores: [0.5, 0.5, 0.5, 0.5], truths: [true, false, true, false])
        #expect(sample.expectedCalibrationError() == 0)
    }
}
