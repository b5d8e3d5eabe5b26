import Testing
import WardenCore

@testable import WardenEval

@Suite("Bootstrap intervals")
struct BootstrapTests {
    /// 400 items: positives score roughly in [0.3, 1], negatives in [0, 0.7].
    static func syntheticSample() throws -> BinarySample {
        var generator = SplitMix64(seed: 3)
        var scores: [Double] = []
        var truths: [Bool] = []
        for index in 0..<400 {
            let positive = index % 4 == 0
            let base = positive ? 0.3 : 0.0
            scores.append(base + Double(generator.index(below: 701)) / 1000)
            truths.append(positive)
        }
        return try BinarySample(scores: scores, truths: truths)
    }

    static let statistics: [Bootstrap.Statistic] = [
        { $0.averagePrecision },
        { $0.confusion(at: 0.5).f1 },
        { $0.recall(atFalsePositiveRate: 0.05)?.counts.recall },
        { $0.confusion(at: 0.5).falsePositiveRate },
    ]

    @Test("SplitMix64 matches the reference outputs for seed 0")
    func splitMixReference() {
        // Reference sequence of SplitMix64 (Vigna's splitmix64.c) from state 0.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test("bounded draws stay in range and reach every value")
    func boundedDraws() {
        var generator = SplitMix64(seed: 1)
        let draws = (0..<600).map { _ in generator.index(below: 6) }
        #expect(draws.allSatisfy { (0..<6).contains($0) })
        #expect(Set(draws).count == 6)
    }

    @Test("the same seed gives the same intervals; another seed gives others")
    func deterministic() throws {
        let sample = try Self.syntheticSample()
        let options = BootstrapOptions(resamples: 200, seed: 42)
        let first = Bootstrap.intervals(of: Self.statistics, on: sample, options: options)
        let second = Bootstrap.intervals(of: Self.statistics, on: sample, options: options)
        #expect(first == second)
        var reseeded = options
        reseeded.seed = 43
        #expect(Bootstrap.intervals(of: Self.statistics, on: sample, options: reseeded) != first)
    }

    @Test("each interval contains its point estimate and has width")
    func containsPointEstimate() throws {
        let sample = try Self.syntheticSample()
        let intervals = Bootstrap.intervals(
            of: Self.statistics, on: sample, options: BootstrapOptions(resamples: 300, seed: 5))
        for (statistic, interval) in zip(Self.statistics, intervals) {
            let estimate = try #require(statistic(sample))
            let interval = try #require(interval)
            #expect(interval.contains(estimate), "\(estimate) outside [\(interval.lower), \(interval.upper)]")
            #expect(interval.lower < interval.upper)
            #expect(interval.resamples == 300)
        }
    }

    @Test("stratified resamples keep the class counts; plain ones do not")
    func stratification() throws {
        let sample = try Self.syntheticSample()
        let positives: Bootstrap.Statistic = { Double($0.positives) }
        let stratified = try #require(
            Bootstrap.interval(of: positives, on: sample, options: BootstrapOptions(resamples: 100, stratified: true)))
        #expect(stratified.lower == 100 && stratified.upper == 100)
        let plain = try #require(
            Bootstrap.interval(of: positives, on: sample, options: BootstrapOptions(resamples: 100, stratified: false)))
        #expect(plain.lower < 100 && plain.upper > 100)
    }

    @Test("plain resampling leaves out resamples where the metric is undefined")
    func undefinedResamplesDropped() throws {
        // One positive among 20: many plain resamples miss it, and AP is undefined there.
        let sample = try BinarySample(
            scores: (0..<20).map { Double($0) / 20 }, truths: (0..<20).map { $0 == 19 })
        let averagePrecision: Bootstrap.Statistic = { $0.averagePrecision }
        let interval = try #require(
            Bootstrap.interval(
                of: averagePrecision, on: sample, options: BootstrapOptions(resamples: 200, stratified: false)))
        // P(missing the positive in 20 draws) = (19/20)^20 ≈ 0.36, so about 128 of 200 are kept.
        #expect(interval.resamples < 200 && interval.resamples > 80)
    }

    @Test("no resamples means no interval")
    func disabled() throws {
        let sample = try Self.syntheticSample()
        let auc: Bootstrap.Statistic = { $0.rocAUC }
        #expect(Bootstrap.interval(of: auc, on: sample, options: BootstrapOptions(resamples: 0)) == nil)
    }

    @Test("percentiles interpolate linearly between order statistics")
    func percentile() {
        // n = 5: position = 4p. p = 0.025 → 0.1 → 1 + 0.1·(2 − 1) = 1.1; p = 0.975 → 3.9 → 4.9
        #expect(isClose(Bootstrap.percentile([1, 2, 3, 4, 5], 0.025), 1.1))
        #expect(isClose(Bootstrap.percentile([1, 2, 3, 4, 5], 0.975), 4.9))
        #expect(Bootstrap.percentile([7], 0.5) == 7)
    }
}

@Suite("One-pass summary used by the bootstrap")
struct SampleSummaryTests {
    @Test("agrees with the separate metrics on tied, weighted data", arguments: [0.0, 0.05, 0.3, 1.0])
    func agreesWithSeparateMetrics(target: Double) throws {
        var generator = SplitMix64(seed: 21)
        let scores = (0..<500).map { _ in Double(generator.index(below: 41)) / 40 }
        let truths = scores.map { score in generator.index(below: 100) < Int(10 + 70 * score) }
        let base = try BinarySample(scores: scores, truths: truths)
        // Weights as a bootstrap resample would give them, zeros included.
        let sample = base.reweighted((0..<500).map { _ in generator.index(below: 3) })
        for threshold in [0.0, 0.3, 0.5, 0.975, 1.0] {
            let summary = sample.summary(threshold: threshold, falsePositiveRateTarget: target)
            let counts = sample.confusion(at: threshold)
            #expect(summary.averagePrecision == sample.averagePrecision)
            #expect(summary.f1 == counts.f1)
            #expect(summary.falsePositiveRate == counts.falsePositiveRate)
            #expect(summary.recall == counts.recall)
            #expect(summary.recallAtFalsePositiveRate == sample.recall(atFalsePositiveRate: target)?.counts.recall)
        }
    }
}
