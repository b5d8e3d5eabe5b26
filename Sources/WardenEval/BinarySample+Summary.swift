/// The statistics the report bootstraps, from one pass over the sorted items and without
/// allocating: each bootstrap resample needs all of them, and separate sweeps made resampling of
/// large sets several times slower.
struct SampleSummary: Equatable {
    var averagePrecision: Double?
    var f1: Double?
    var falsePositiveRate: Double?
    var recallAtFalsePositiveRate: Double?
    var recall: Double?
    var precision: Double?
}

extension BinarySample {
    /// AP, F1, FPR and recall at `threshold`, and recall at FPR ≤ `falsePositiveRateTarget`, with the same
    /// definitions as ``averagePrecision``, ``confusion(at:)`` and ``recall(atFalsePositiveRate:)``.
    func summary(threshold: Double, falsePositiveRateTarget: Double) -> SampleSummary {
        let allowedFalsePositives = falsePositiveRateTarget * Double(negatives)
        var apSum = 0.0
        var truePositives = 0
        var falsePositives = 0
        var atThreshold = (truePositives: 0, falsePositives: 0)
        var recallLimitReached = false
        var truePositivesWithinLimit = 0
        var index = 0
        while index < scores.count {
            let score = scores[index]
            let previousTruePositives = truePositives
            while index < scores.count, scores[index] == score {
                if truths[index] { truePositives += weights[index] } else { falsePositives += weights[index] }
                index += 1
            }
            if truePositives > previousTruePositives {
                let precision = Double(truePositives) / Double(truePositives + falsePositives)
                // The same operations in the same order as `averagePrecision`, so the results are identical.
                let recallGain = Double(truePositives - previousTruePositives) / Double(positives)
                apSum += recallGain * precision
            }
            if score >= threshold { atThreshold = (truePositives, falsePositives) }
            if !recallLimitReached {
                if Double(falsePositives) <= allowedFalsePositives {
                    truePositivesWithinLimit = truePositives
                } else {
                    recallLimitReached = true
                }
            }
        }
        let counts = counts(truePositives: atThreshold.truePositives, falsePositives: atThreshold.falsePositives)
        let hasBothClasses = positives > 0 && negatives > 0
        return SampleSummary(
            averagePrecision: positives > 0 ? apSum : nil,
            f1: counts.f1, falsePositiveRate: counts.falsePositiveRate,
            recallAtFalsePositiveRate: hasBothClasses ? Double(truePositivesWithinLimit) / Double(positives) : nil,
            recall: counts.recall, precision: counts.precision)
    }
}
