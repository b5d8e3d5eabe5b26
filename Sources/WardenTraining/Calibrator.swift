import WardenCore
import WardenEval
import WardenModel
import WardenTensor

/// Fits Platt scaling per label on held-out logits, using only examples whose label is known.
public enum Calibrator {
    public static func fit(logits: Matrix, targets: [TrainingTarget], labels: [String]) -> [String: ModelManifest.Calibration] {
        var result: [String: ModelManifest.Calibration] = [:]
        for (j, label) in labels.enumerated() {
            var margins: [Double] = []
            var truths: [Bool] = []
            for (r, target) in targets.enumerated() where target.mask[j] > 0 {
                margins.append(Double(logits[r, j]))
                truths.append(target.values[j] > 0.5)
            }
            // Without both classes there is nothing to fit; keep the raw logit.
            guard truths.contains(true), truths.contains(false) else {
                result[label] = .identity
                continue
            }
            result[label] = PlattCalibration.fit(margins: margins, labels: truths)
        }
        return result
    }
}
