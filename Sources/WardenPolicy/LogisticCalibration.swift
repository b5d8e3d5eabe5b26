import Foundation

/// `p = 1 / (1 + exp(-(slope * margin + intercept)))`, fitted with Platt's method.
///
/// Platt's smoothed targets (`(N+ + 1) / (N+ + 2)` for positives, `1 / (N- + 2)` for negatives)
/// keep the fit finite when the examples are perfectly separable, which they usually are with a
/// handful of hand-picked examples; the result is a calibrated probability, never exactly 0 or 1.
public struct LogisticCalibration: Sendable, Hashable, Codable {
    public var slope: Double
    public var intercept: Double

    public init(slope: Double, intercept: Double) {
        self.slope = slope
        self.intercept = intercept
    }

    public func probability(_ margin: Double) -> Double {
        let z = slope * margin + intercept
        return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// Fits slope and intercept to `(margin, isPositive)` pairs by Newton's method on the
    /// cross-entropy, with a tiny ridge on the slope so a degenerate input (all margins equal)
    /// still has a unique answer.
    public static func fit(margins: [Double], labels: [Bool]) -> LogisticCalibration {
        precondition(margins.count == labels.count, "one label per margin")
        let positives = Double(labels.filter { $0 }.count)
        let negatives = Double(labels.count) - positives
        let high = (positives + 1) / (positives + 2)
        let low = 1 / (negatives + 2)
        let targets = labels.map { $0 ? high : low }
        let ridge = 1e-6

        // Start from the prior log-odds, as Platt does.
        var model = LogisticCalibration(slope: 0, intercept: log((positives + 1) / (negatives + 1)))
        var loss = model.loss(margins, targets, ridge)
        for _ in 0..<100 {
            var gradient = (slope: ridge * model.slope, intercept: 0.0)
            var hessian = (ss: ridge, si: 0.0, ii: 0.0)
            for (margin, target) in zip(margins, targets) {
                let p = model.probability(margin)
                let weight = max(p * (1 - p), 1e-12)
                gradient.slope += (p - target) * margin
                gradient.intercept += p - target
                hessian.ss += weight * margin * margin
                hessian.si += weight * margin
                hessian.ii += weight
            }
            let determinant = hessian.ss * hessian.ii - hessian.si * hessian.si
            guard determinant > 1e-18 else { break }
            let stepSlope = (hessian.ii * gradient.slope - hessian.si * gradient.intercept) / determinant
            let stepIntercept = (hessian.ss * gradient.intercept - hessian.si * gradient.slope) / determinant
            // Backtrack until the loss goes down; Newton can overshoot far from the optimum.
            var scale = 1.0
            var improved = false
            while scale > 1e-8 {
                let candidate = LogisticCalibration(
                    slope: model.slope - scale * stepSlope, intercept: model.intercept - scale * stepIntercept)
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
        var total = 0.5 * ridge * slope * slope
        for (margin, target) in zip(margins, targets) {
            let z = slope * margin + intercept
            // log(1 + exp(z)) - target * z, written to stay finite for large |z|.
            let softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))
            total += softplus - target * z
        }
        return total
    }
}
