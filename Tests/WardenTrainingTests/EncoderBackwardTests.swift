import Testing
import WardenCore
@testable import WardenModel
import WardenTensor

@Suite("Encoder backward pass (finite differences on a tiny encoder)")
struct EncoderBackwardTests {
    /// Pooled layers and fixed random cotangents: `L = Σ_k Σ C_k ⊙ meanPool(hidden_k)`.
    static let pooledLayers = [0, 1, 2]

    static func cotangents(rows: Int, columns: Int) -> [Int: Matrix] {
        var random = SplitMix64(seed: 7)
        var result: [Int: Matrix] = [:]
        for layer in pooledLayers {
            result[layer] = Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in random.nextUniform() * 2 - 1 })
        }
        return result
    }

    static func loss(_ encoder: TrainingEncoder, _ batch: PackedBatch, _ cotangents: [Int: Matrix], dropout: Dropout? = nil) throws -> Double {
        let output =
            try dropout.map { try encoder.encodeForTraining(batch, options: EncoderOptions(dropout: $0)).0 }
            ?? encoder.encode(batch, options: EncoderOptions(includeHiddenStates: true))
        var total = 0.0
        for (layer, c) in cotangents {
            let pooled = Pooling.meanPool(output.hiddenStates[layer], batch: batch)
            for index in 0..<pooled.count { total += Double(pooled.storage[index]) * Double(c.storage[index]) }
        }
        return total
    }

    @Test("every parameter kind of every layer matches central differences, without and with dropout", arguments: [Float(0), 0.3])
    func parameterGradients(dropoutRate: Float) throws {
        let encoder = TinyModel.encoder()
        // The finite differences nudge one parameter at a time, so they run on a training copy.
        let trainee = TrainingEncoder(copying: encoder)
        let batch = TinyModel.batch()
        let c = TinyModel.configuration
        let cotangents = Self.cotangents(rows: batch.count, columns: c.hiddenSize)
        let dropout = dropoutRate > 0 ? Dropout(rate: dropoutRate, seed: 99) : nil
        if dropout != nil {
            // Dropout must change the forward pass, or this case would only repeat the first.
            #expect(try Self.loss(trainee, batch, cotangents, dropout: dropout) != Self.loss(trainee, batch, cotangents))
        }
        let gradients = EncoderGradients(layout: encoder.parameterLayout, trainable: Set(EncoderParameterKind.allCases))
        gradients.zero()
        let (_, activations) = try encoder.encodeForTraining(batch, options: EncoderOptions(dropout: dropout))
        encoder.backward(activations, pooledGradients: cotangents, gradients: gradients)

        var random = SplitMix64(seed: 11)
        var checked = 0
        var largest = 0.0
        for tensor in encoder.parameterLayout.tensors {
            var indices: [Int] = []
            if tensor.kind == .wordEmbeddings {
                // Rows of tokens in the batch, and row 0 (never used: its gradient must be exactly 0).
                for token in [batch.tokenIDs[0], batch.tokenIDs[9], batch.tokenIDs[15]] { indices.append(token * c.hiddenSize + random.index(below: c.hiddenSize)) }
                indices.append(random.index(below: c.hiddenSize))
            } else {
                let values = UnsafeBufferPointer(start: gradients.buffer.base + tensor.offset, count: tensor.count)
                indices.append(values.indices.max { abs(values[$0]) < abs(values[$1]) }!)
                for _ in 0..<3 { indices.append(random.index(below: tensor.count)) }
            }
            for index in indices {
                let offset = tensor.offset + index
                let analytic = Double(gradients.buffer.base[offset])
                let numeric = centralDifference(h: 1e-2) { step in
                    let saved = trainee.parameters.base[offset]
                    trainee.parameters.base[offset] = saved + Float(step)
                    defer { trainee.parameters.base[offset] = saved }
                    return (try? Self.loss(trainee, batch, cotangents, dropout: dropout)) ?? .nan
                }
                #expect(agree(analytic, numeric), "\(tensor.name)[\(index)]: analytic \(analytic) numeric \(numeric)")
                largest = max(largest, abs(analytic))
                checked += 1
            }
            if tensor.kind == .wordEmbeddings {
                #expect(gradients.buffer.base[tensor.offset + indices.last!] == 0, "an unused vocabulary row gets no gradient")
            }
        }
        #expect(checked > 100)
        #expect(largest > 0.1, "gradients are not all tiny (the check would be vacuous)")
    }

    @Test("dropout zeroes about its rate of a mask and scales the rest; the same seed gives the same mask")
    func dropoutMask() throws {
        let dropout = Dropout(rate: 0.25, seed: 5)
        var a = Matrix(rows: 40, columns: 50, repeating: 1)
        var b = a
        a.withMutableView { dropout.apply(.attentionOutput(layer: 1), to: $0, firstRow: 3) }
        b.withMutableView { dropout.apply(.attentionOutput(layer: 1), to: $0, firstRow: 3) }
        #expect(a == b)
        let zeros = a.storage.filter { $0 == 0 }.count
        #expect(zeros > 400 && zeros < 600, "\(zeros) of 2000 dropped at rate 0.25")
        #expect(a.storage.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
        var other = Matrix(rows: 40, columns: 50, repeating: 1)
        other.withMutableView { dropout.apply(.feedForwardOutput(layer: 1), to: $0, firstRow: 3) }
        #expect(other != a, "another site draws another mask")
    }

    @Test("frozen kinds get no gradient and the linear hook sees every linear layer")
    func frozenAndHook() throws {
        let encoder = TinyModel.encoder()
        let batch = TinyModel.batch()
        let gradients = EncoderGradients(layout: encoder.parameterLayout, trainable: [.bias])
        gradients.zero()
        var seen: [String] = []
        gradients.linearHook = { layer, linear, x, dy in
            seen.append("\(layer).\(linear.rawValue)")
            #expect(x.rows == batch.tokenCount && dy.rows == batch.tokenCount)
        }
        let (_, activations) = try encoder.encodeForTraining(batch)
        encoder.backward(activations, pooledGradients: Self.cotangents(rows: batch.count, columns: 32), gradients: gradients)
        #expect(Set(seen).count == 8 && seen.count == 8)
        for tensor in encoder.parameterLayout.tensors where tensor.kind != .bias {
            let values = UnsafeBufferPointer(start: gradients.buffer.base + tensor.offset, count: tensor.count)
            #expect(values.allSatisfy { $0 == 0 }, "\(tensor.name) is frozen")
        }
    }
}
