import Foundation
import WardenTensor

/// One trainable tensor as the optimiser sees it: values and gradients at fixed addresses.
///
/// The buffers belong to the model object that made the slot (encoder copy, adapters, head); a slot is only
/// valid while that object lives.
struct ParameterSlot {
    var name: String
    var values: UnsafeMutablePointer<Float>
    var gradients: UnsafeMutablePointer<Float>
    var count: Int
    var decay: Bool
}

/// AdamW over ``ParameterSlot``s (same update as ``AdamW``, decoupled decay), with its state in named buffers
/// so a checkpoint can save and restore it exactly.
final class SlotOptimizer {
    var learningRate: Float
    let beta1: Float = 0.9
    let beta2: Float = 0.999
    let epsilon: Float = 1e-8
    let weightDecay: Float
    private(set) var time = 0
    let first: [FloatBuffer]
    let second: [FloatBuffer]
    /// Threads for the update of large tensors.
    var workers = 2

    init(slots: [ParameterSlot], learningRate: Float, weightDecay: Float) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        first = slots.map { FloatBuffer(capacity: $0.count) }
        second = slots.map { FloatBuffer(capacity: $0.count) }
    }

    /// One step at learning rate `rate` on every slot (the slots must be those given to `init`, in order).
    func step(_ slots: [ParameterSlot], rate: Float) {
        step(slots, rates: [Float](repeating: rate, count: slots.count))
    }

    /// One step with a learning rate per slot.
    func step(_ slots: [ParameterSlot], rates: [Float]) {
        time += 1
        let correction1 = 1 - pow(beta1, Float(time))
        let correction2 = 1 - pow(beta2, Float(time))
        for (index, slot) in slots.enumerated() {
            let rate = rates[index]
            let update = AdamUpdate(
                values: slot.values, gradients: slot.gradients, first: first[index].base, second: second[index].base,
                rate: rate, decay: slot.decay ? rate * weightDecay : 0, beta1: beta1, beta2: beta2, epsilon: epsilon,
                correction1: correction1, correction2: correction2)
            // Big tensors (embeddings, FFN weights) are split over two workers; the update is memory-bound.
            let count = slot.count
            let parts = count >= 1 << 16 ? workers : 1
            Parallel.run(workers: parts) { part in update.apply(Parallel.share(of: count, part: part, of: parts, multiple: 16)) }
        }
    }

    /// Restores the step count (with the moments, which the checkpoint fills in place).
    func restore(time: Int) { self.time = time }

    /// The global L2 norm of all gradients, in Float64.
    static func globalNorm(_ slots: [ParameterSlot]) -> Double {
        var total = 0.0
        for slot in slots {
            var partial: Float = 0
            for i in 0..<slot.count { partial += slot.gradients[i] * slot.gradients[i] }
            total += Double(partial)
        }
        return total.squareRoot()
    }

    /// Scales all gradients so their global norm is at most `maximum` (as `torch.nn.utils.clip_grad_norm_`);
    /// returns the norm before clipping.
    @discardableResult
    static func clip(_ slots: [ParameterSlot], maximum: Double) -> Double {
        let norm = globalNorm(slots)
        guard maximum > 0, norm > maximum else { return norm }
        let scale = Float(maximum / (norm + 1e-6))
        for slot in slots {
            for i in 0..<slot.count { slot.gradients[i] *= scale }
        }
        return norm
    }
}

/// One slot's AdamW update over a range of its elements (ranges of one slot never overlap, so workers may share it).
private struct AdamUpdate: @unchecked Sendable {
    let values: UnsafeMutablePointer<Float>
    let gradients: UnsafeMutablePointer<Float>
    let first: UnsafeMutablePointer<Float>
    let second: UnsafeMutablePointer<Float>
    let rate, decay, beta1, beta2, epsilon, correction1, correction2: Float

    func apply(_ range: Range<Int>) {
        let (p, g, m, v) = (values, gradients, first, second)
        for i in range {
            let gi = g[i]
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
            let step = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + epsilon)
            p[i] -= rate * step + decay * p[i]
        }
    }
}
