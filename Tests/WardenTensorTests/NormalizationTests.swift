import Foundation
import Testing
import WardenTensor
import WardenTesting

@Suite("LayerNorm, softmax, L2 normalisation, bias")
struct NormalizationTests {
    @Test("LayerNorm of [1 2 3 4] with biased variance, gain and offset")
    func layerNormValues() {
        // μ = 2.5, σ² = 1.25, so x̂ = (x − 2.5)/√1.25 = ±0.4472136, ±1.3416408
        let x = Matrix([[1, 2, 3, 4], [2, 2, 2, 2]])
        let gamma: [Float] = [1, 2, 1, 1]
        let beta: [Float] = [0, 0, 1, 0]
        var y = Matrix(rows: 2, columns: 4)
        var mean = [Float](repeating: 0, count: 2)
        var rstd = [Float](repeating: 0, count: 2)
        x.withView { xv in
            y.withMutableView { yv in
                LayerNorm.forward(xv, gamma: gamma, beta: beta, epsilon: 1e-12, into: yv, mean: &mean, inverseStandardDeviation: &rstd)
            }
        }
        expectClose(y.row(0), [-1.341_640_8, -0.894_427_2, 1.447_213_6, 1.341_640_8], atol: 1e-6)
        // A constant row normalises to β (x̂ = 0), and ε keeps it finite.
        expectClose(y.row(1), [0, 0, 1, 0], atol: 0)
        #expect(mean == [2.5, 2])
        #expect(abs(rstd[0] - 0.894_427_2) < 1e-6)
    }

    @Test("residual LayerNorm equals LayerNorm of projection + bias + residual, in place on the residual")
    func residualLayerNorm() {
        var rng = SeededGenerator(seed: 11)
        let projection = randomMatrix(3, 13, using: &rng)
        var residual = randomMatrix(3, 13, using: &rng)
        let bias = (0..<13).map { Float($0) * 0.1 }
        let gamma = (0..<13).map { 1 + Float($0) * 0.01 }
        let beta = (0..<13).map { Float($0) * -0.02 }
        var sum = Matrix(rows: 3, columns: 13)
        for r in 0..<3 { for c in 0..<13 { sum[r, c] = projection[r, c] + bias[c] + residual[r, c] } }
        var expected = Matrix(rows: 3, columns: 13)
        sum.withView { s in expected.withMutableView { LayerNorm.forward(s, gamma: gamma, beta: beta, epsilon: 1e-12, into: $0) } }

        var scratch = projection
        scratch.withMutableView { p in
            residual.withMutableView { x in
                LayerNorm.residualForward(
                    projection: p, bias: bias, residual: x.readOnly, gamma: gamma, beta: beta, epsilon: 1e-12, into: x)
            }
        }
        expectClose(residual.storage, expected.storage, atol: 1e-6, "in-place result")
        expectClose(scratch.storage, sum.storage, atol: 1e-6, "saved pre-norm sum")
    }

    @Test("LayerNorm backward matches finite differences for input, gain and offset")
    func layerNormBackward() {
        var rng = SeededGenerator(seed: 5)
        let (rows, n) = (3, 9)
        let x = randomMatrix(rows, n, scale: 2, using: &rng)
        let gamma = (0..<n).map { _ in Float.random(in: 0.5...1.5, using: &rng) }
        let beta = (0..<n).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let w = randomMatrix(rows, n, using: &rng)
        func forward(_ x: [Float], _ g: [Float], _ b: [Float]) -> [Float] {
            var y = Matrix(rows: rows, columns: n)
            Matrix(rows: rows, columns: n, storage: x).withView { xv in
                y.withMutableView { LayerNorm.forward(xv, gamma: g, beta: b, epsilon: 1e-12, into: $0) }
            }
            return y.storage
        }
        var mean = [Float](repeating: 0, count: rows)
        var rstd = [Float](repeating: 0, count: rows)
        var y = Matrix(rows: rows, columns: n)
        x.withView { xv in y.withMutableView { LayerNorm.forward(xv, gamma: gamma, beta: beta, epsilon: 1e-12, into: $0, mean: &mean, inverseStandardDeviation: &rstd) } }
        var dx = Matrix(rows: rows, columns: n)
        var dGamma = [Float](repeating: 0, count: n)
        var dBeta = [Float](repeating: 0, count: n)
        x.withView { xv in
            w.withView { wv in
                dx.withMutableView { dxv in
                    LayerNorm.backward(
                        input: xv, mean: mean, inverseStandardDeviation: rstd, gamma: gamma, outputGradient: wv, into: dxv,
                        gammaGradient: &dGamma, betaGradient: &dBeta)
                }
            }
        }
        expectClose(dx.storage, numericalGradient(at: x.storage, step: 1e-2) { weightedSum(forward($0, gamma, beta), w.storage) }, atol: 5e-4, "dx")
        expectClose(dGamma, numericalGradient(at: gamma, step: 1e-2) { weightedSum(forward(x.storage, $0, beta), w.storage) }, atol: 5e-4, "dγ")
        expectClose(dBeta, numericalGradient(at: beta, step: 1e-2) { weightedSum(forward(x.storage, gamma, $0), w.storage) }, atol: 5e-4, "dβ")
    }

    @Test("softmax of [1 2 3], with a masked key, and with every key masked")
    func softmaxValues() {
        var s = Matrix([[1, 2, 3], [1, 2, 3], [5, 6, 7]])
        let mask: [Bool] = [true, false, true]
        s.withMutableView { v in
            Softmax.forward(v.rows(0..<1))
            mask.withUnsafeBufferPointer { Softmax.forward(v.rows(1..<2), keyMask: $0.baseAddress) }
            [false, false, false].withUnsafeBufferPointer { Softmax.forward(v.rows(2..<3), keyMask: $0.baseAddress) }
        }
        expectClose(s.row(0), [0.090_030_57, 0.244_728_47, 0.665_240_96], atol: 1e-7)
        // e¹/(e¹+e³) and e³/(e¹+e³); the masked key is exactly 0.
        expectClose(s.row(1), [0.119_202_92, 0, 0.880_797_08], atol: 1e-7)
        #expect(s[1, 1] == 0)
        expectClose(s.row(2), [1.0 / 3, 1.0 / 3, 1.0 / 3], atol: 1e-7)
    }

    @Test("softmax handles rows longer than one vector and tails")
    func softmaxLongRow() {
        let values = (0..<19).map { Float($0) * 0.3 - 2 }
        var s = Matrix(rows: 1, columns: 19, storage: values)
        s.withMutableView { Softmax.forward($0) }
        let exps = values.map { Foundation.exp(Double($0)) }
        let total = exps.reduce(0, +)
        expectClose(s.storage, exps.map { Float($0 / total) }, atol: 1e-7)
    }

    @Test("softmax backward matches finite differences")
    func softmaxBackward() {
        var rng = SeededGenerator(seed: 9)
        let x = randomMatrix(2, 10, scale: 3, using: &rng)
        let w = randomMatrix(2, 10, using: &rng)
        func forward(_ values: [Float]) -> [Float] {
            var m = Matrix(rows: 2, columns: 10, storage: values)
            m.withMutableView { Softmax.forward($0) }
            return m.storage
        }
        let y = Matrix(rows: 2, columns: 10, storage: forward(x.storage))
        var dx = Matrix(rows: 2, columns: 10)
        y.withView { yv in w.withView { wv in dx.withMutableView { Softmax.backward(output: yv, outputGradient: wv, into: $0) } } }
        expectClose(dx.storage, numericalGradient(at: x.storage, step: 1e-2) { weightedSum(forward($0), w.storage) }, atol: 2e-4)
    }

    @Test("L2 normalisation of [3 4] and of a zero row; backward matches finite differences")
    func l2() {
        var m = Matrix([[3, 4], [0, 0]])
        m.withMutableView { Elementwise.l2Normalize($0.readOnly, into: $0) }
        #expect(m == Matrix([[0.6, 0.8], [0, 0]]))

        var rng = SeededGenerator(seed: 13)
        let x = randomMatrix(2, 7, using: &rng)
        let w = randomMatrix(2, 7, using: &rng)
        func forward(_ values: [Float]) -> [Float] {
            var m = Matrix(rows: 2, columns: 7, storage: values)
            m.withMutableView { Elementwise.l2Normalize($0.readOnly, into: $0) }
            return m.storage
        }
        var dx = Matrix(rows: 2, columns: 7)
        x.withView { xv in w.withView { wv in dx.withMutableView { Elementwise.l2NormalizeBackward(input: xv, outputGradient: wv, into: $0) } } }
        expectClose(dx.storage, numericalGradient(at: x.storage, step: 1e-3) { weightedSum(forward($0), w.storage) }, atol: 2e-3)
    }

    @Test("bias add and its gradient (column sums)")
    func bias() {
        var m = Matrix([[1, 2, 3], [4, 5, 6]])
        m.withMutableView { Elementwise.addBias([10, 20, 30], to: $0) }
        #expect(m == Matrix([[11, 22, 33], [14, 25, 36]]))
        var gradient: [Float] = [1, 1, 1]
        m.withView { Elementwise.accumulateColumnSums(of: $0, into: &gradient) }
        #expect(gradient == [26, 48, 70])
    }
}
