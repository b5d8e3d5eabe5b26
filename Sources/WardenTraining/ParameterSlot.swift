import Foundation
import WardenTensor

/// One trainable tensor as the optimiser sees it: a range of a values buffer and the same range of a gradients buffer.
///
/// The slot holds the buffers themselves (the training encoder's parameter block, an adapter's or the head's
/// matrices), so it keeps them alive; raw pointers exist only inside ``withValues(_:)`` and ``withGradients(_:)``.
struct ParameterSlot {
    var name: String
    let values: FloatBuffer
    let gradients: FloatBuffer
    /// Where the tensor starts in ``values`` and ``gradients`` (the same offset in both).
    let offset: Int
    let count: Int
    var decay: Bool

    /// A whole buffer and its gradient buffer.
    init(name: String, values: FloatBuffer, gradients: FloatBuffer, decay: Bool) {
        self.init(name: name, values: values, gradients: gradients, offset: 0, count: values.capacity, decay: decay)
    }

    init(name: String, values: FloatBuffer, gradients: FloatBuffer, offset: Int, count: Int, decay: Bool) {
        precondition(offset >= 0 && offset + count <= min(values.capacity, gradients.capacity), "slot \(name) is outside its buffers")
        self.name = name
        self.values = values
        self.gradients = gradients
        self.offset = offset
        self.count = count
        self.decay = decay
    }

    func withValues<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(values) { try body(UnsafeMutableBufferPointer(start: values.base + offset, count: count)) }
    }

    func withGradients<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(gradients) { try body(UnsafeMutableBufferPointer(start: gradients.base + offset, count: count)) }
    }

    /// The values as an array (checkpoints, early-stopping snapshots).
    var valueArray: [Float] { withValues { Array($0) } }
    var gradientArray: [Float] { withGradients { Array($0) } }

    /// One value, by its index in the tensor.
    subscript(value index: Int) -> Float {
        get { withValues { $0[index] } }
        nonmutating set { withValues { $0[index] = newValue } }
    }

    /// Overwrites the values with `saved` (same count).
    func setValues(_ saved: [Float]) {
        precondition(saved.count == count, "slot \(name) holds \(count) values, not \(saved.count)")
        withValues { target in _ = target.update(fromContentsOf: saved) }
    }
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
            slot.withValues { values in
                slot.withGradients { gradients in
                    let update = AdamUpdate(
                        values: values.baseAddress!, gradients: gradients.baseAddress!, first: first[index].base, second: second[index].base,
                        rate: rate, decay: slot.decay ? rate * weightDecay : 0, beta1: beta1, beta2: beta2, epsilon: epsilon,
                        correction1: correction1, correction2: correction2)
                    // Big tensors (embeddings, FFN weights) are split over two workers; the update is memory-bound.
                    let count = slot.count
                    let parts = count >= 1 << 16 ? workers : 1
                    Parallel.run(workers: parts) { part in update.apply(Parallel.share(of: count, part: part, of: parts, multiple: 16)) }
                }
            }
        }
    }

    /// Restores the step count (with the moments, which the checkpoint fills in place).
    func restore(time: Int) { self.time = time }

    /// The global L2 norm of all gradients, in Float64.
    static func globalNorm(_ slots: [ParameterSlot]) -> Double {
        var total = 0.0
        for slot in slots {
            let partial: Float = slot.withGradients { g in g.reduce(0) { $0 + $1 * $1 } }
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
            slot.withGradients { g in for i in g.indices { g[i] *= scale } }
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
