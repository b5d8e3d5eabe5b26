import WardenModel
import WardenTensor

/// A ``ClassifierHead`` whose parameters live in fixed buffers, so the optimiser, gradient clipping and
/// checkpoints can treat them like the encoder's. Standardisation (mean, scale) is fixed during fine-tuning.
public final class TrainableHead {
    public let featureMean: [Float]
    public let featureScale: [Float]
    public let inputSize: Int
    public let hiddenSize: Int
    public let labels: Int
    /// `[input, hidden]` (or `[input, labels]` when linear), `[hidden]`, `[hidden, labels]`, `[labels]`.
    let w1: FloatBuffer, b1: FloatBuffer, w2: FloatBuffer, b2: FloatBuffer
    let gw1: FloatBuffer, gb1: FloatBuffer, gw2: FloatBuffer, gb2: FloatBuffer

    public init(_ head: ClassifierHead) {
        featureMean = head.featureMean
        featureScale = head.featureScale
        inputSize = head.inputSize
        hiddenSize = head.hiddenSize
        labels = head.labelCount
        w1 = FloatBuffer(copying: head.w1.storage)
        b1 = FloatBuffer(copying: head.b1)
        w2 = FloatBuffer(copying: head.w2.storage)
        b2 = FloatBuffer(copying: head.b2)
        gw1 = FloatBuffer(capacity: w1.capacity)
        gb1 = FloatBuffer(capacity: b1.capacity)
        gw2 = FloatBuffer(capacity: w2.capacity)
        gb2 = FloatBuffer(capacity: b2.capacity)
    }

    public var isLinear: Bool { hiddenSize == 0 }
    private var firstWidth: Int { isLinear ? labels : hiddenSize }

    /// The parameters as optimiser slots (weights decay, biases do not).
    var slots: [ParameterSlot] {
        var result = [
            ParameterSlot(name: "head.w1", values: w1, gradients: gw1, decay: true),
            ParameterSlot(name: "head.b1", values: b1, gradients: gb1, decay: false),
        ]
        if !isLinear {
            result += [
                ParameterSlot(name: "head.w2", values: w2, gradients: gw2, decay: true),
                ParameterSlot(name: "head.b2", values: b2, gradients: gb2, decay: false),
            ]
        }
        return result
    }

    public var head: ClassifierHead {
        ClassifierHead(
            featureMean: featureMean, featureScale: featureScale,
            w1: Matrix(rows: inputSize, columns: firstWidth, storage: w1.toArray()), b1: b1.toArray(),
            w2: isLinear ? Matrix(rows: 0, columns: 0) : Matrix(rows: hiddenSize, columns: labels, storage: w2.toArray()),
            b2: isLinear ? [] : b2.toArray())
    }

    /// What ``backward(_:logitGradient:)`` needs.
    public struct Trace {
        var standardized: Matrix
        var preActivation: Matrix
        var hidden: Matrix
        public var logits: Matrix
    }

    /// Logits of raw pooled features `[rows, input]`.
    public func forward(_ features: Matrix) -> Trace {
        var x = features
        x.withMutableView { view in
            for r in 0..<view.rows {
                let row = view.row(r)
                for j in 0..<view.columns { row[j] = (row[j] - featureMean[j]) / featureScale[j] }
            }
        }
        let rows = x.rows
        var pre = Matrix(rows: rows, columns: firstWidth)
        x.withView { xv in
            pre.withMutableView { out in
                BLAS.gemm(xv, w1.view(rows: inputSize, columns: firstWidth).readOnly, into: out)
                Elementwise.addBias(b1.base, to: out)
            }
        }
        if isLinear { return Trace(standardized: x, preActivation: pre, hidden: pre, logits: pre) }
        var hidden = Matrix(rows: rows, columns: hiddenSize)
        pre.withView { p in hidden.withMutableView { GELU.forward(p, into: $0) } }
        var logits = Matrix(rows: rows, columns: labels)
        hidden.withView { hv in
            logits.withMutableView { out in
                BLAS.gemm(hv, w2.view(rows: hiddenSize, columns: labels).readOnly, into: out)
                Elementwise.addBias(b2.base, to: out)
            }
        }
        return Trace(standardized: x, preActivation: pre, hidden: hidden, logits: logits)
    }

    /// Accumulates parameter gradients and returns dLoss/dFeatures (raw, before standardisation).
    public func backward(_ trace: Trace, logitGradient: Matrix) -> Matrix {
        var dFirst = logitGradient
        if !isLinear {
            var dHidden = Matrix(rows: trace.hidden.rows, columns: hiddenSize)
            logitGradient.withView { g in
                trace.hidden.withView { hv in
                    BLAS.gemm(hv, transposeA: true, g, into: gw2.view(rows: hiddenSize, columns: labels), beta: 1)
                    Elementwise.accumulateColumnSums(of: g, into: gb2.base)
                    dHidden.withMutableView { BLAS.gemm(g, w2.view(rows: hiddenSize, columns: labels).readOnly, transposeB: true, into: $0) }
                }
            }
            dFirst = Matrix(rows: dHidden.rows, columns: hiddenSize)
            trace.preActivation.withView { p in
                dHidden.withView { g in dFirst.withMutableView { GELU.backward(preActivation: p, outputGradient: g, into: $0) } }
            }
        }
        var dInput = Matrix(rows: trace.standardized.rows, columns: inputSize)
        dFirst.withView { g in
            trace.standardized.withView { xv in
                BLAS.gemm(xv, transposeA: true, g, into: gw1.view(rows: inputSize, columns: firstWidth), beta: 1)
                Elementwise.accumulateColumnSums(of: g, into: gb1.base)
                dInput.withMutableView { BLAS.gemm(g, w1.view(rows: inputSize, columns: firstWidth).readOnly, transposeB: true, into: $0) }
            }
        }
        dInput.withMutableView { view in
            for r in 0..<view.rows {
                let row = view.row(r)
                for j in 0..<view.columns { row[j] /= featureScale[j] }
            }
        }
        return dInput
    }

    func zeroGradients() {
        for buffer in [gw1, gb1, gw2, gb2] { buffer.base.update(repeating: 0, count: buffer.capacity) }
    }
}
