import Foundation
import WardenTensor

/// Multi-label binary cross-entropy with a mask (unknown labels do not count), a weight per
/// example (source mixture) and a weight per label for positives (class imbalance).
public enum MaskedBCE {
    /// The weighted mean loss over the batch and dLoss/dLogits.
    ///
    /// Loss per element: `w · m · (−p·y·log σ(z) − (1−y)·log(1−σ(z)))`, divided by Σ w·m over the
    /// batch, so that a batch of mostly unknown labels does not get a larger step.
    public static func lossAndGradient(
        logits: Matrix, targets: ArraySlice<TrainingTarget>, exampleWeights: ArraySlice<Float>, positiveWeights: [Float]
    ) -> (loss: Double, gradient: Matrix) {
        precondition(logits.rows == targets.count && logits.rows == exampleWeights.count)
        let labels = logits.columns
        var gradient = Matrix(rows: logits.rows, columns: labels)
        var total = 0.0
        let normalizer = Self.normalizer(targets: targets, exampleWeights: exampleWeights)
        guard normalizer > 0 else { return (0, gradient) }
        let scale = Float(1 / normalizer)
        gradient.withMutableView { g in
            logits.withView { z in
                for (r, (target, weight)) in zip(targets, exampleWeights).enumerated() {
                    let zr = z.row(r), gr = g.row(r)
                    for j in 0..<labels {
                        let m = target.mask[j] * weight
                        guard m > 0 else { gr[j] = 0; continue }
                        let y = target.values[j], p = positiveWeights[j], x = zr[j]
                        // log σ(x) and log(1−σ(x)) computed stably.
                        let logSigmoid = x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x))
                        let logOneMinus = logSigmoid - x
                        total += Double(m * (-p * y * logSigmoid - (1 - y) * logOneMinus))
                        let s = 1 / (1 + exp(-x))
                        gr[j] = m * scale * ((1 - y) * s - p * y * (1 - s))
                    }
                }
            }
        }
        return (total / normalizer, gradient)
    }

    /// Σ weight · mask over the batch: what the loss is divided by (and what the paired objective scales by).
    public static func normalizer(targets: ArraySlice<TrainingTarget>, exampleWeights: ArraySlice<Float>) -> Double {
        var normalizer = 0.0
        for (target, weight) in zip(targets, exampleWeights) {
            for j in target.mask.indices where target.mask[j] > 0 { normalizer += Double(weight * target.mask[j]) }
        }
        return normalizer
    }

    /// Positive weights per label: sqrt(negatives / positives) over known targets, clamped to
    /// [1, maximum]; the square root tempers the weight of very rare labels, whose few positives
    /// would otherwise dominate and make the head over-flag.
    public static func positiveWeights(for targets: [TrainingTarget], labels: Int, maximum: Float) -> [Float] {
        (0..<labels).map { j in
            var positives: Float = 0, negatives: Float = 0
            for t in targets where t.mask[j] > 0 {
                if t.values[j] > 0.5 { positives += 1 } else { negatives += 1 }
            }
            guard positives > 0 else { return 1 }
            return min(max((negatives / positives).squareRoot(), 1), maximum)
        }
    }
}
