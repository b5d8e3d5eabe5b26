import WardenCore

/// Settings for percentile bootstrap intervals.
public struct BootstrapOptions: Codable, Sendable, Hashable {
    /// Number of resamples; 0 turns intervals off.
    public var resamples: Int
    /// Seed of the ``SplitMix64`` generator; the same seed gives the same intervals.
    public var seed: UInt64
    /// Coverage of the interval, such as 0.95.
    public var confidence: Double
    /// When true (the default) positives and negatives are resampled separately, keeping both
    /// class counts fixed, so every resample has the original class balance and metrics such as
    /// AUPRC and FPR stay defined. When false, items are drawn from the whole set; resamples in which
    /// a metric is undefined are left out of that metric's interval.
    public var stratified: Bool

    public init(resamples: Int = 1000, seed: UInt64 = 20_240_601, confidence: Double = 0.95, stratified: Bool = true) {
        self.resamples = resamples
        self.seed = seed
        self.confidence = confidence
        self.stratified = stratified
    }
}

/// A two-sided interval estimate from bootstrap percentiles.
public struct ConfidenceInterval: Codable, Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    /// How many resamples had the metric defined (the interval's basis).
    public var resamples: Int

    public init(lower: Double, upper: Double, resamples: Int) {
        self.lower = lower
        self.upper = upper
        self.resamples = resamples
    }

    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}

/// Percentile bootstrap over a ``BinarySample``.
public enum Bootstrap {
    /// A statistic of a sample; nil where it is undefined.
    public typealias Statistic = @Sendable (BinarySample) -> Double?

    /// Percentile intervals for several statistics, from one shared set of resamples.
    ///
    /// - Returns: one interval per statistic, in order; nil when resampling is off, the sample is
    ///   empty, or the statistic was undefined in every resample.
    public static func intervals(
        of statistics: [Statistic], on sample: BinarySample, options: BootstrapOptions = BootstrapOptions()
    ) -> [ConfidenceInterval?] {
        intervals(count: statistics.count, on: sample, options: options) { resample in
            statistics.map { $0(resample) }
        }
    }

    /// Percentile intervals for `count` statistics computed together by `statistics`, which must
    /// return `count` values per resample (nil where undefined).
    static func intervals(
        count: Int, on sample: BinarySample, options: BootstrapOptions,
        statistics: (BinarySample) -> [Double?]
    ) -> [ConfidenceInterval?] {
        guard options.resamples > 0, sample.count > 0 else { return Array(repeating: nil, count: count) }
        var generator = SplitMix64(seed: options.seed)
        var values = Array(repeating: [Double](), count: count)
        let pools = drawPools(sample, stratified: options.stratified)
        for _ in 0..<options.resamples {
            let resample = sample.reweighted(drawWeights(pools, itemCount: sample.scores.count, using: &generator))
            for (index, value) in statistics(resample).prefix(count).enumerated() {
                if let value, value.isFinite { values[index].append(value) }
            }
        }
        return values.map { percentileInterval($0, confidence: options.confidence) }
    }

    /// Paired percentile intervals of `statistics(a) − statistics(b)`, where `a` and `b` are two
    /// models' scores on the same items (built from inputs in the same item order). Every resample
    /// draws items once and gives both samples the same multiplicities, so the variation of the
    /// items both models share cancels: the interval of the difference is what says whether one
    /// model is better, not whether two separate intervals overlap.
    ///
    /// - Returns: nil per statistic when resampling is off, the samples are empty or differ in their
    ///   items (count or truth at some input position), or the statistic was never defined.
    static func pairedDifferenceIntervals(
        count: Int, a: BinarySample, b: BinarySample, options: BootstrapOptions,
        statistics: (BinarySample) -> [Double?]
    ) -> [ConfidenceInterval?] {
        pairedDifferenceIntervals(count: count, a: a, b: b, options: options, statisticsOfA: statistics, statisticsOfB: statistics)
    }

    /// Like ``pairedDifferenceIntervals(count:a:b:options:statistics:)`` with a statistic per side
    /// (e.g. each model's false-positive rate at its own threshold).
    static func pairedDifferenceIntervals(
        count: Int, a: BinarySample, b: BinarySample, options: BootstrapOptions,
        statisticsOfA: (BinarySample) -> [Double?], statisticsOfB: (BinarySample) -> [Double?]
    ) -> [ConfidenceInterval?] {
        let none = [ConfidenceInterval?](repeating: nil, count: count)
        let n = a.scores.count
        guard options.resamples > 0, n > 0, b.scores.count == n else { return none }
        // Truth and multiplicity of each input item, which must agree between the two samples.
        var truth = [Bool](repeating: false, count: n), multiplicity = [Int](repeating: 0, count: n)
        for position in 0..<n {
            truth[a.inputIndices[position]] = a.truths[position]
            multiplicity[a.inputIndices[position]] = a.weights[position]
        }
        for position in 0..<n {
            let item = b.inputIndices[position]
            guard truth[item] == b.truths[position], multiplicity[item] == b.weights[position] else { return none }
        }
        var pools: [[Int]] = options.stratified ? [[], []] : [[]]
        for item in 0..<n {
            for _ in 0..<multiplicity[item] { pools[options.stratified && !truth[item] ? 1 : 0].append(item) }
        }
        pools = pools.filter { !$0.isEmpty }
        var generator = SplitMix64(seed: options.seed)
        var values = Array(repeating: [Double](), count: count)
        for _ in 0..<options.resamples {
            let drawn = drawWeights(pools, itemCount: n, using: &generator)
            let left = statisticsOfA(a.reweighted(a.inputIndices.map { drawn[$0] }))
            let right = statisticsOfB(b.reweighted(b.inputIndices.map { drawn[$0] }))
            for index in 0..<count {
                if let l = left[index], let r = right[index], (l - r).isFinite { values[index].append(l - r) }
            }
        }
        return values.map { percentileInterval($0, confidence: options.confidence) }
    }

    /// The interval for one statistic.
    public static func interval(
        of statistic: @escaping Statistic, on sample: BinarySample, options: BootstrapOptions = BootstrapOptions()
    ) -> ConfidenceInterval? {
        intervals(of: [statistic], on: sample, options: options)[0]
    }

    /// The two-sided percentile interval of bootstrap draws, nil without draws.
    static func percentileInterval(_ draws: [Double], confidence: Double) -> ConfidenceInterval? {
        guard !draws.isEmpty else { return nil }
        let sorted = draws.sorted()
        let tail = (1 - confidence) / 2
        return ConfidenceInterval(lower: percentile(sorted, tail), upper: percentile(sorted, 1 - tail), resamples: sorted.count)
    }

    /// The `p`-quantile of sorted values with linear interpolation between order statistics
    /// (numpy's default, "type 7").
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let position = Double(sorted.count - 1) * min(max(p, 0), 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = position - Double(below)
        return sorted[below] + fraction * (sorted[above] - sorted[below])
    }

    /// The item indices each draw picks from, expanded by multiplicity: one pool per class when
    /// stratified, else one pool of everything.
    private static func drawPools(_ sample: BinarySample, stratified: Bool) -> [[Int]] {
        var positives: [Int] = []
        var negatives: [Int] = []
        var everything: [Int] = []
        for index in sample.scores.indices {
            for _ in 0..<sample.weights[index] {
                if stratified {
                    if sample.truths[index] { positives.append(index) } else { negatives.append(index) }
                } else {
                    everything.append(index)
                }
            }
        }
        return (stratified ? [positives, negatives] : [everything]).filter { !$0.isEmpty }
    }

    /// Multiplicities of one resample: each pool is drawn from, with replacement, as many times as
    /// it has members.
    private static func drawWeights(_ pools: [[Int]], itemCount: Int, using generator: inout SplitMix64) -> [Int] {
        var weights = Array(repeating: 0, count: itemCount)
        for pool in pools {
            for _ in 0..<pool.count { weights[pool[generator.index(below: pool.count)]] += 1 }
        }
        return weights
    }
}

extension Bootstrap {
    /// The percentile interval of a proportion (the share of `flags` that are true), resampling the flags.
    public static func proportionInterval(_ flags: [Bool], options: BootstrapOptions = BootstrapOptions()) -> ConfidenceInterval? {
        guard options.resamples > 0, !flags.isEmpty else { return nil }
        var generator = SplitMix64(seed: options.seed)
        var draws: [Double] = []
        draws.reserveCapacity(options.resamples)
        for _ in 0..<options.resamples {
            var hits = 0
            for _ in flags.indices where flags[generator.index(below: flags.count)] { hits += 1 }
            draws.append(Double(hits) / Double(flags.count))
        }
        return percentileInterval(draws, confidence: options.confidence)
    }
}
