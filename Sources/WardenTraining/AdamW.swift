import Foundation

/// AdamW (Loshchilov and Hutter): Adam with weight decay decoupled from the gradient.
///
/// Parameters are registered as flat `[Float]` slots; `step` advances the shared time step once per
/// optimiser step, then `update` applies it to each slot.
public struct AdamW: Sendable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float
    private var first: [[Float]] = []
    private var second: [[Float]] = []
    private var decays: [Bool] = []
    public private(set) var time = 0

    public init(learningRate: Float, weightDecay: Float = 0.01) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// Registers a parameter of `count` values; biases and norms usually skip weight decay.
    public mutating func addSlot(count: Int, decay: Bool) -> Int {
        first.append([Float](repeating: 0, count: count))
        second.append([Float](repeating: 0, count: count))
        decays.append(decay)
        return first.count - 1
    }

    public mutating func beginStep() { time += 1 }

    /// Applies one step to `parameters` (slot `slot`) at learning rate `rate` (after the schedule).
    public mutating func update(_ parameters: inout [Float], gradients: [Float], slot: Int, rate: Float) {
        precondition(parameters.count == gradients.count && parameters.count == first[slot].count, "AdamW: slot size mismatch")
        let correction1 = 1 - pow(beta1, Float(time))
        let correction2 = 1 - pow(beta2, Float(time))
        let decay = decays[slot] ? rate * weightDecay : 0
        let b1 = beta1, b2 = beta2, eps = epsilon
        first[slot].withUnsafeMutableBufferPointer { m in
            second[slot].withUnsafeMutableBufferPointer { v in
                for i in parameters.indices {
                    let g = gradients[i]
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    let update = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                    parameters[i] -= rate * update + decay * parameters[i]
                }
            }
        }
    }
}

/// Linear warmup then linear decay to zero, as BERT fine-tuning uses.
public struct LinearSchedule: Sendable, Hashable {
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(peak: Float, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = max(totalSteps, 1)
    }

    public func rate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let remaining = Float(totalSteps - step) / Float(max(totalSteps - warmupSteps, 1))
        return peak * max(remaining, 0)
    }
}
