import Foundation
import Testing
import WardenTensor
import WardenTesting

@Suite("Vector math, GELU and sigmoid")
struct ActivationTests {
    @Test("vector exp agrees with libm to a few ulp on [-87, 88], and underflows to exactly 0")
    func exponential() {
        var worst: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = FloatVector((0..<FloatVector.scalarCount).map { x + Float($0) * 0.013 })
            let got = VectorMath.exp(lanes)
            for i in 0..<FloatVector.scalarCount {
                let expected = Foundation.exp(Double(lanes[i]))
                worst = max(worst, Float(abs(Double(got[i]) - expected) / expected))
            }
            x += 0.37
        }
        #expect(worst < 4e-7, "max relative error \(worst)")
        let tiny = VectorMath.exp(FloatVector(repeating: -1e30))
        #expect(tiny == FloatVector(repeating: 0))
        #expect(VectorMath.exp(FloatVector(repeating: 0)) == FloatVector(repeating: 1))
    }

    @Test("vector erf agrees with libm to 5e-7 absolute, is odd, and saturates at ±1")
    func errorFunction() {
        var worst = 0.0
        var z: Float = -7
        while z < 7 {
            let lanes = FloatVector((0..<FloatVector.scalarCount).map { z + Float($0) * 0.0031 })
            let got = VectorMath.erf(lanes)
            for i in 0..<FloatVector.scalarCount {
                worst = max(worst, abs(Double(got[i]) - Foundation.erf(Double(lanes[i]))))
            }
            z += 0.029
        }
        #expect(worst < 5e-7, "max absolute error \(worst)")
        let x = FloatVector((0..<FloatVector.scalarCount).map { Float($0) * 0.4 })
        #expect(VectorMath.erf(-x) == -VectorMath.erf(x))
        #expect(VectorMath.erf(FloatVector(repeating: 0)) == FloatVector(repeating: 0))
        #expect(abs(VectorMath.erf(FloatVector(repeating: 30))[0] - 1) < 3e-7)
    }

    @Test("GELU matches x·Φ(x) at hand-checked points, with bias fused")
    func geluValues() {
        // gelu(x) = x·½(1+erf(x/√2)): values from the closed form in double precision.
        let x: [Float] = [0, 1, -1, 2, -3, 0.5, 10, -10, 3.5]
        let expected: [Float] = x.map { v in Float(Double(v) * 0.5 * (1 + Foundation.erf(Double(v) / 2.0.squareRoot()))) }
        #expect(abs(expected[1] - 0.841_344_75) < 1e-7 && abs(expected[2] + 0.158_655_25) < 1e-7)
        #expect(abs(expected[7]) < 1e-20)
        var output = Matrix(rows: 1, columns: x.count)
        Matrix(rows: 1, columns: x.count, storage: x).withView { input in
            output.withMutableView { GELU.forward(input, into: $0) }
        }
        // PyTorch's own fp32 erf is accurate to ~1.5e-7, so GELU agrees to a few 1e-7 at these magnitudes.
        expectClose(output.storage, expected, atol: 2e-6, "gelu")

        // Fused bias: gelu(x + b) with b = 1 on every column, saving the pre-activation.
        let bias = [Float](repeating: 1, count: x.count)
        var saved = Matrix(rows: 1, columns: x.count)
        Matrix(rows: 1, columns: x.count, storage: x).withView { input in
            output.withMutableView { out in
                saved.withMutableView { pre in
                    bias.withUnsafeBufferPointer { GELU.forward(input, bias: $0.baseAddress, into: out, preActivation: pre) }
                }
            }
        }
        #expect(saved.storage == x.map { $0 + 1 })
        expectClose(output.storage, x.map { v in Float(Double(v + 1) * 0.5 * (1 + Foundation.erf(Double(v + 1) / 2.0.squareRoot()))) }, atol: 2e-6)
    }

    @Test("GELU backward matches finite differences")
    func geluBackward() {
        var rng = SeededGenerator(seed: 3)
        let x = randomMatrix(3, 11, scale: 4, using: &rng)
        let weights = randomMatrix(3, 11, using: &rng)
        func forward(_ values: [Float]) -> [Float] {
            var out = Matrix(rows: 3, columns: 11)
            Matrix(rows: 3, columns: 11, storage: values).withView { i in out.withMutableView { GELU.forward(i, into: $0) } }
            return out.storage
        }
        var analytic = Matrix(rows: 3, columns: 11)
        x.withView { xv in weights.withView { w in analytic.withMutableView { GELU.backward(preActivation: xv, outputGradient: w, into: $0) } } }
        let numeric = numericalGradient(at: x.storage, step: 1e-2) { weightedSum(forward($0), weights.storage) }
        expectClose(analytic.storage, numeric, atol: 2e-4, "dGELU")
    }

    @Test("sigmoid is stable at the extremes and its backward matches finite differences")
    func sigmoid() {
        #expect(Elementwise.sigmoid(0) == 0.5)
        #expect(Elementwise.sigmoid(-200) == 0 && Elementwise.sigmoid(200) == 1)
        #expect(abs(Elementwise.sigmoid(2) - 0.880_797_1) < 1e-7)
        let x = Matrix([[-3, -0.5, 0, 0.7, 4]])
        var y = Matrix(rows: 1, columns: 5)
        x.withView { xv in y.withMutableView { Elementwise.sigmoid(xv, into: $0) } }
        let w = Matrix([[0.3, -1, 2, 0.5, 1]])
        var dx = Matrix(rows: 1, columns: 5)
        y.withView { yv in w.withView { wv in dx.withMutableView { Elementwise.sigmoidBackward(output: yv, outputGradient: wv, into: $0) } } }
        let numeric = numericalGradient(at: x.storage, step: 1e-3) { values in
            weightedSum(values.map(Elementwise.sigmoid), w.storage)
        }
        expectClose(dx.storage, numeric, atol: 1e-4, "dsigmoid")
    }
}
