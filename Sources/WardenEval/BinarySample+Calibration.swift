/// One bin of a reliability diagram: items whose score falls in [lower, upper) (the last bin
/// also holds 1.0).
public struct ReliabilityBin: Codable, Sendable, Hashable {
    public var lower: Double
    public var upper: Double
    /// Items in the bin (with multiplicity).
    public var count: Int
    /// The mean score in the bin; nil when the bin is empty.
    public var meanScore: Double?
    /// The fraction of positives in the bin; nil when the bin is empty.
    public var positiveRate: Double?

    public init(lower: Double, upper: Double, count: Int, meanScore: Double?, positiveRate: Double?) {
        self.lower = lower
        self.upper = upper
        self.count = count
        self.meanScore = meanScore
        self.positiveRate = positiveRate
    }
}

extension BinarySample {
    /// Equal-width reliability bins over [0, 1]; empty bins are kept with a count of 0.
    public func reliabilityBins(count binCount: Int = 10) -> [ReliabilityBin] {
        let binCount = max(binCount, 1)
        var items = Array(repeating: 0, count: binCount)
        var scoreSums = Array(repeating: 0.0, count: binCount)
        var positiveCounts = Array(repeating: 0, count: binCount)
        for index in scores.indices where weights[index] > 0 {
            let bin = Self.bin(of: scores[index], binCount: binCount)
            items[bin] += weights[index]
            scoreSums[bin] += scores[index] * Double(weights[index])
            if truths[index] { positiveCounts[bin] += weights[index] }
        }
        return (0..<binCount).map { bin in
            let n = items[bin]
            return ReliabilityBin(
                lower: Double(bin) / Double(binCount), upper: Double(bin + 1) / Double(binCount), count: n,
                meanScore: n == 0 ? nil : scoreSums[bin] / Double(n),
                positiveRate: n == 0 ? nil : Double(positiveCounts[bin]) / Double(n))
        }
    }

    /// Expected calibration error: Σ_b (n_b / N) · |mean score_b − positive rate_b| over
    /// equal-width bins (10 by default). nil for an empty sample.
    public func expectedCalibrationError(bins binCount: Int = 10) -> Double? {
        guard count > 0 else { return nil }
        var error = 0.0
        for bin in reliabilityBins(count: binCount) {
            guard let meanScore = bin.meanScore, let positiveRate = bin.positiveRate else { continue }
            error += Double(bin.count) / Double(count) * abs(meanScore - positiveRate)
        }
        return error
    }

    /// Mean squared difference between score and truth (1 for positive, 0 for negative).
    /// nil for an empty sample.
    public var brierScore: Double? {
        guard count > 0 else { return nil }
        var sum = 0.0
        for index in scores.indices {
            let difference = scores[index] - (truths[index] ? 1 : 0)
            sum += difference * difference * Double(weights[index])
        }
        return sum / Double(count)
    }

    /// The bin of a score in [0, 1]: ⌊score · bins⌋, with 1.0 in the last bin.
    static func bin(of score: Double, binCount: Int) -> Int {
        min(Int(score * Double(binCount)), binCount - 1)
    }
}
