import Foundation
import WardenCore
import WardenTensor

/// The classification head on pooled encoder features: standardise, then a one-hidden-layer MLP
/// (GELU) or a linear map, one logit per label.
///
/// Standardising inside the head (mean and scale stored with it) keeps the optimiser well
/// conditioned when features from several layers with different magnitudes are concatenated.
public struct ClassifierHead: Sendable, Equatable {
    public var featureMean: [Float]
    public var featureScale: [Float]
    /// `inputSize x hiddenSize`, or `inputSize x labels` for a linear head.
    public var w1: Matrix
    public var b1: [Float]
    /// `hiddenSize x labels`; empty for a linear head.
    public var w2: Matrix
    public var b2: [Float]

    public var inputSize: Int { w1.rows }
    public var isLinear: Bool { w2.count == 0 }
    public var hiddenSize: Int { isLinear ? 0 : w1.columns }
    public var labelCount: Int { isLinear ? w1.columns : w2.columns }

    public init(featureMean: [Float], featureScale: [Float], w1: Matrix, b1: [Float], w2: Matrix, b2: [Float]) {
        self.featureMean = featureMean
        self.featureScale = featureScale
        self.w1 = w1
        self.b1 = b1
        self.w2 = w2
        self.b2 = b2
    }

    /// A randomly initialised head (scaled uniform, seeded).
    public init(inputSize: Int, hiddenSize: Int, labels: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func uniform(rows: Int, columns: Int) -> Matrix {
            let bound = Float(sqrt(6.0 / Double(rows + columns)))
            return Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in random.nextUniform() * 2 * bound - bound })
        }
        featureMean = [Float](repeating: 0, count: inputSize)
        featureScale = [Float](repeating: 1, count: inputSize)
        if hiddenSize == 0 {
            w1 = uniform(rows: inputSize, columns: labels)
            b1 = [Float](repeating: 0, count: labels)
            w2 = Matrix(rows: 0, columns: 0)
            b2 = []
        } else {
            w1 = uniform(rows: inputSize, columns: hiddenSize)
            b1 = [Float](repeating: 0, count: hiddenSize)
            w2 = uniform(rows: hiddenSize, columns: labels)
            b2 = [Float](repeating: 0, count: labels)
        }
    }

    /// Subtracts the stored mean and divides by the stored scale, row by row.
    public func standardize(_ features: Matrix) -> Matrix {
        precondition(features.columns == inputSize, "head expects \(inputSize) features, got \(features.columns)")
        var out = features
        out.withMutableView { view in
            for r in 0..<view.rows {
                let row = view.row(r)
                for j in 0..<view.columns { row[j] = (row[j] - featureMean[j]) / featureScale[j] }
            }
        }
        return out
    }

    /// What a backward pass needs from the forward pass.
    public struct Trace: Sendable {
        public var input: Matrix
        public var preActivation: Matrix
        public var hidden: Matrix
        public var logits: Matrix
    }

    /// Logits for standardised features, keeping the intermediate values.
    public func forwardTrace(standardized x: Matrix) -> Trace {
        if isLinear {
            var logits = Matrix.product(x, w1)
            logits.addRowVector(b1)
            return Trace(input: x, preActivation: Matrix(rows: 0, columns: 0), hidden: Matrix(rows: 0, columns: 0), logits: logits)
        }
        var pre = Matrix.product(x, w1)
        pre.addRowVector(b1)
        var hidden = Matrix(rows: pre.rows, columns: pre.columns)
        pre.withView { p in hidden.withMutableView { h in GELU.forward(p, into: h) } }
        var logits = Matrix.product(hidden, w2)
        logits.addRowVector(b2)
        return Trace(input: x, preActivation: pre, hidden: hidden, logits: logits)
    }

    /// Raw (uncalibrated) logits for raw pooled features.
    public func logits(_ features: Matrix) -> Matrix {
        forwardTrace(standardized: standardize(features)).logits
    }

    /// Gradients of the loss with respect to every parameter, given dLoss/dLogits.
    public struct Gradients: Sendable {
        public var w1: Matrix
        public var b1: [Float]
        public var w2: Matrix
        public var b2: [Float]
    }

    public func backward(_ trace: Trace, logitGradient: Matrix) -> Gradients {
        if isLinear {
            return Gradients(w1: Matrix.product(trace.input, transposeA: true, logitGradient),
                             b1: logitGradient.columnSums(), w2: Matrix(rows: 0, columns: 0), b2: [])
        }
        let gw2 = Matrix.product(trace.hidden, transposeA: true, logitGradient)
        let gb2 = logitGradient.columnSums()
        let hiddenGradient = Matrix.product(logitGradient, w2, transposeB: true)
        var preGradient = Matrix(rows: hiddenGradient.rows, columns: hiddenGradient.columns)
        trace.preActivation.withView { p in
            hiddenGradient.withView { g in
                preGradient.withMutableView { out in GELU.backward(preActivation: p, outputGradient: g, into: out) }
            }
        }
        let gw1 = Matrix.product(trace.input, transposeA: true, preGradient)
        return Gradients(w1: gw1, b1: preGradient.columnSums(), w2: gw2, b2: gb2)
    }
}

extension Matrix {
    /// Adds `vector` to every row.
    mutating func addRowVector(_ vector: [Float]) {
        precondition(vector.count == columns)
        withMutableView { view in
            for r in 0..<view.rows {
                let row = view.row(r)
                for j in 0..<view.columns { row[j] += vector[j] }
            }
        }
    }

    /// The sum of each column.
    func columnSums() -> [Float] {
        var sums = [Float](repeating: 0, count: columns)
        withView { view in
            for r in 0..<view.rows {
                let row = view.row(r)
                for j in 0..<view.columns { sums[j] += row[j] }
            }
        }
        return sums
    }
}
