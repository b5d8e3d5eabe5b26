// Threshold-free ranking metrics and threshold choices, all computed from one descending sweep
// in which tied scores form a single step.

extension BinarySample {
    /// Average precision: Σₖ (Rₖ − Rₖ₋₁) · Pₖ over the distinct score thresholds, highest first, with
    /// R₀ = 0. This is the step-wise area under the precision-recall curve, the definition of
    /// scikit-learn's `average_precision_score` (no interpolation).
    ///
    /// nil when there are no positives (recall is undefined); 1 when every item is positive.
    public var averagePrecision: Double? {
        guard positives > 0 else { return nil }
        var sum = 0.0
        var previousTruePositives = 0
        for step in sweep() where step.truePositives > previousTruePositives {
            let recallGain = Double(step.truePositives - previousTruePositives) / Double(positives)
            let precision = Double(step.truePositives) / Double(step.truePositives + step.falsePositives)
            sum += recallGain * precision
            previousTruePositives = step.truePositives
        }
        return sum
    }

    /// Area under the ROC curve by the trapezoid rule through (0, 0) and one point per distinct
    /// score. Because ties form one step (a diagonal segment) this equals the Mann-Whitney
    /// statistic: the chance that a random positive outscores a random negative, ties counting ½.
    ///
    /// nil when either class is absent.
    public var rocAUC: Double? {
        guard positives > 0, negatives > 0 else { return nil }
        var area = 0.0
        var previous = (truePositives: 0, falsePositives: 0)
        for step in sweep() {
            // Trapezoid in count units; divided by P·N at the end.
            let width = Double(step.falsePositives - previous.falsePositives)
            area += width * Double(step.truePositives + previous.truePositives) / 2
            previous = (step.truePositives, step.falsePositives)
        }
        return area / (Double(positives) * Double(negatives))
    }

    /// Precision and recall at each distinct score, highest threshold first. Empty when there are no
    /// positives.
    public var precisionRecallCurve: [PrecisionRecallPoint] {
        guard positives > 0 else { return [] }
        return sweep().map { step in
            PrecisionRecallPoint(
                threshold: step.threshold,
                precision: Double(step.truePositives) / Double(step.truePositives + step.falsePositives),
                recall: Double(step.truePositives) / Double(positives))
        }
    }

    /// The ROC curve from (0, 0) (threshold just above the highest score) through one point per
    /// distinct score to (1, 1). Empty when either class is absent.
    public var rocCurve: [ROCPoint] {
        guard positives > 0, negatives > 0 else { return [] }
        let origin = ROCPoint(threshold: thresholdAboveAll, falsePositiveRate: 0, truePositiveRate: 0)
        return [origin]
            + sweep().map { step in
                ROCPoint(
                    threshold: step.threshold,
                    falsePositiveRate: Double(step.falsePositives) / Double(negatives),
                    truePositiveRate: Double(step.truePositives) / Double(positives))
            }
    }

    /// The threshold (one of the scores) with the highest F1; among equal F1 the highest threshold,
    /// which flags the fewest items. nil when there are no positives.
    public var bestF1: OperatingPoint? {
        guard positives > 0 else { return nil }
        var best: (f1: Double, step: Step)?
        for step in sweep() {
            let f1 =
                Double(2 * step.truePositives)
                / Double(step.truePositives + step.falsePositives + positives)
            if best == nil || f1 > best!.f1 { best = (f1, step) }
        }
        guard let best else { return nil }
        return OperatingPoint(
            threshold: best.step.threshold,
            counts: counts(truePositives: best.step.truePositives, falsePositives: best.step.falsePositives))
    }

    /// The lowest threshold whose false-positive rate is at most `maximumFalsePositiveRate`, which
    /// gives the highest recall under that constraint.
    ///
    /// Candidate thresholds are the scores themselves plus one just above the highest score (flag
    /// nothing, FPR 0), so an answer always exists when both classes are present; when even the top
    /// score breaks the limit the threshold is that "above all" value and recall is 0.
    /// nil when either class is absent.
    public func recall(atFalsePositiveRate maximumFalsePositiveRate: Double) -> OperatingPoint? {
        guard positives > 0, negatives > 0 else { return nil }
        var chosen = Step(threshold: thresholdAboveAll, truePositives: 0, falsePositives: 0)
        for step in sweep() {
            // FP only grows as the threshold falls, so the first step over the limit ends the search.
            guard Double(step.falsePositives) <= maximumFalsePositiveRate * Double(negatives) else { break }
            chosen = step
        }
        return OperatingPoint(
            threshold: chosen.threshold,
            counts: counts(truePositives: chosen.truePositives, falsePositives: chosen.falsePositives))
    }
}
