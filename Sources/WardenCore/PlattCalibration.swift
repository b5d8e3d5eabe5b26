import Foundation

/// `p = sigmoid(scale * x + bias)`, fitted with Platt's method: a model bundle's per-label calibration of its logits
/// (`calibration` in manifest.json) and a custom category's margin-to-probability curve.
///
/// Platt's smoothed targets (`(N+ + 1) / (N+ + 2)` for positives, `1 / (N- + 2)` for negatives)
/// keep the fit finite when the examples are perfectly separable, which they usually are with a
/// handful of hand-picked examples; the result is a calibrated probability, never exactly 0 or 1.
public struct PlattCalibration: Sendable, Hashable, Codable {
    public var scale: Double
    public var bias: Double

    public init(scale: Double, bias: Double) {
        self.scale = scale
        self.bias = bias
    }

    /// Leaves the logit's own sigmoid.
    public static let identity = PlattCalibration(scale: 1, bias: 0)

    /// The calibrated probability of a raw score (a logit or a margin); stable for large |z|.
    public func probability(_ margin: Double) -> Double {
        let z = scale * margin + bias
        return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// Fits scale and bias to `(margin, isPositive)` pairs by Newton's method on the
    /// cross-entropy, with a tiny ridge on the scale so a degenerate input (all margins equal)
    /// still has a unique answer.
    public static func fit(margins: [Double], labels: [Bool]) -> PlattCalibration {
        precondition(margins.count == labels.count, "one label per margin")
        let positives = Double(labels.filter { $0 }.count)
        let negatives = Double(labels.count) - positives
        let high = (positives + 1) / (positives + 2)
        let low = 1 / (negatives + 2)
        let targets = labels.map { $0 ? high : low }
        let ridge = 1e-6

        // Start from the prior log-odds, as Platt does.
        var model = PlattCalibration(scale: 0, bias: log((positives + 1) / (negatives + 1)))
        var loss = model.loss(margins, targets, ridge)
        for _ in 0..<100 {
            var gradient = (scale: ridge * model.scale, bias: 0.0)
            var hessian = (ss: ridge, si: 0.0, ii: 0.0)
            for (margin, target) in zip(margins, targets) {
                let p = model.probability(margin)
                let weight = max(p * (1 - p), 1e-12)
                gradient.scale += (p - target) * margin
                gradient.bias += p - target
                hessian.ss += weight * margin * margin
                hessian.si += weight * margin
                hessian.ii += weight
            }
            let determinant = hessian.ss * hessian.ii - hessian.si * hessian.si
            guard determinant > 1e-18 else { break }
            let stepSlope = (hessian.ii * gradient.scale - hessian.si * gradient.bias) / determinant
            let stepIntercept = (hessian.ss * gradient.bias - hessian.si * gradient.scale) / determinant
            // Backtrack until the loss goes down; Newton can overshoot far from the optimum.
            var scale = 1.0
            var improved = false
            while scale > 1e-8 {
                let candidate = PlattCalibration(
                    scale: model.scale - scale * stepSlope, bias: model.bias - scale * stepIntercept)
                let candidateLoss = candidate.loss(margins, targets, ridge)
                if candidateLoss < loss {
                    improved = loss - candidateLoss > 1e-12
                    model = candidate
                    loss = candidateLoss
                    break
                }
                scale /= 2
            }
            if !improved { break }
        }
        return model
    }

    private func loss(_ margins: [Double], _ targets: [Double], _ ridge: Double) -> Double {
        var total = 0.5 * ridge * scale * scale
        for (margin, target) in zip(margins, targets) {
            let z = scale * margin + bias
            // log(1 + exp(z)) - target * z, written to stay finite for large |z|.
            let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
            total += softplus - target * z
        }
        return total
    }
}
