import WardenCore
import WardenModel
import WardenTensor

/// Low-rank adapters on every linear layer of every encoder layer, trained while the base weights stay frozen.
///
/// The trainer keeps a copy of the frozen base weights and, before each forward pass, writes
/// `W = W₀ + (alpha/rank)·B·A` into the encoder it owns ( ``merge(into:base:)``), so the forward pass is the
/// ordinary one. The backward pass hands each linear's input `X` and output gradient `dY` to
/// ``accumulateGradients(layer:linear:input:outputGradient:into:)``, which needs only rank-sized products.
/// Matrices use the packed (head-interleaved) row order of the fused QKV weight; ``delta()`` converts to the
/// Hugging Face order of the bundle file.
public final class LoRAAdapters {
    public struct Site {
        public var layer: Int
        public var linear: EncoderLinear
        public var inputSize: Int
        public var outputSize: Int
        /// `[rank, in]`, `[out, rank]` and their gradients.
        let a: FloatBuffer, b: FloatBuffer, ga: FloatBuffer, gb: FloatBuffer
    }

    public let rank: Int
    public let alpha: Float
    public let configuration: EncoderConfiguration
    public private(set) var sites: [Site] = []

    public var scale: Float { alpha / Float(rank) }

    /// `A` uniform in ±1/√in (seeded), `B` zero: training starts exactly at the base model.
    public init(configuration c: EncoderConfiguration, rank: Int, alpha: Float, seed: UInt64) {
        precondition(rank > 0, "LoRA rank must be positive")
        self.rank = rank
        self.alpha = alpha
        configuration = c
        var random = SplitMix64(seed: seed)
        let (h, i) = (c.hiddenSize, c.intermediateSize)
        for layer in 0..<c.layerCount {
            for (linear, inputSize, outputSize) in [(EncoderLinear.qkv, h, 3 * h), (.attentionOutput, h, h), (.intermediate, h, i), (.output, i, h)] {
                let bound = 1 / Float(inputSize).squareRoot()
                let a = FloatBuffer(copying: (0..<(rank * inputSize)).map { _ in (random.nextUniform() * 2 - 1) * bound })
                sites.append(Site(
                    layer: layer, linear: linear, inputSize: inputSize, outputSize: outputSize, a: a,
                    b: FloatBuffer(capacity: outputSize * rank), ga: FloatBuffer(capacity: rank * inputSize),
                    gb: FloatBuffer(capacity: outputSize * rank)))
            }
        }
    }

    public var parameterCount: Int { sites.reduce(0) { $0 + $1.a.capacity + $1.b.capacity } }

    var slots: [ParameterSlot] {
        sites.flatMap { site in
            let name = EncoderDelta.moduleName(layer: site.layer, linear: site.linear)
            return [
                ParameterSlot(name: name + ".lora_a", values: site.a, gradients: site.ga, decay: true),
                ParameterSlot(name: name + ".lora_b", values: site.b, gradients: site.gb, decay: true),
            ]
        }
    }

    func site(layer: Int, linear: EncoderLinear) -> Site {
        sites[layer * EncoderLinear.allCases.count + EncoderLinear.allCases.firstIndex(of: linear)!]
    }

    /// Writes `W₀ + scale·B·A` into every adapted weight of `encoder` (`base` holds the frozen packed block).
    public func merge(into encoder: TrainingEncoder, base: FloatBuffer) {
        let layout = encoder.parameterLayout
        let parameters = encoder.parameters
        withExtendedLifetime(parameters) {
            for site in sites {
                let tensor = layout.tensor(layer: site.layer, linear: site.linear)
                // W = W₀ + s·B·A, or for a transposed layout Wᵀ = W₀ᵀ + s·Aᵀ·Bᵀ.
                let (rows, columns) = (tensor.rows, tensor.columns)
                let target = MutableMatrixView(base: parameters.base + tensor.offset, rows: rows, columns: columns, stride: columns)
                target.copy(from: MatrixView(base: base.base + tensor.offset, rows: rows, columns: columns, stride: columns))
                let a = site.a.view(rows: rank, columns: site.inputSize).readOnly
                let b = site.b.view(rows: site.outputSize, columns: rank).readOnly
                if layout.linearWeightsTransposed {
                    BLAS.gemm(a, transposeA: true, b, transposeB: true, into: target, alpha: scale, beta: 1)
                } else {
                    BLAS.gemm(b, a, into: target, alpha: scale, beta: 1)
                }
            }
        }
    }

    /// `dB += s·dYᵀ·(X·Aᵀ)` and `dA += s·(dY·B)ᵀ·X` for one linear layer, into `gradients` (a per-worker copy).
    static func accumulate(
        site: Site, gradients: LoRAGradients, scale: Float, rank: Int, input x: MatrixView, outputGradient dy: MatrixView
    ) {
        let t = x.rows
        let projected = gradients.scratch(t * rank)
        let xa = projected.view(rows: t, columns: rank)
        BLAS.gemm(x, site.a.view(rows: rank, columns: site.inputSize).readOnly, transposeB: true, into: xa)
        let (ga, gb) = gradients.buffers(for: site)
        BLAS.gemm(dy, transposeA: true, xa.readOnly, into: gb.view(rows: site.outputSize, columns: rank), alpha: scale, beta: 1)
        let dyb = xa  // reuse: X·Aᵀ is no longer needed
        BLAS.gemm(dy, site.b.view(rows: site.outputSize, columns: rank).readOnly, into: dyb)
        BLAS.gemm(dyb.readOnly, transposeA: true, x, into: ga.view(rows: rank, columns: site.inputSize), alpha: scale, beta: 1)
    }

    /// The adapters in the bundle's Hugging Face layout (fused-QKV `B` rows reordered to query, key, value).
    public func delta() -> EncoderDelta {
        let c = configuration
        var result = EncoderDelta(rank: rank, alpha: alpha)
        for site in sites {
            var b = Matrix(rows: site.outputSize, columns: rank, storage: site.b.toArray())
            if site.linear == .qkv { b = Self.unpackQKVRows(b, configuration: c) }
            result.adapters[EncoderDelta.moduleName(layer: site.layer, linear: site.linear)] = .init(
                a: Matrix(rows: rank, columns: site.inputSize, storage: site.a.toArray()), b: b)
        }
        return result
    }

    /// Packed row `3·d·head + part·d + e` → Hugging Face row `part·H + head·d + e`.
    static func unpackQKVRows(_ m: Matrix, configuration c: EncoderConfiguration) -> Matrix {
        let (h, d) = (c.hiddenSize, c.headSize)
        var out = Matrix(rows: m.rows, columns: m.columns)
        for head in 0..<c.attentionHeadCount {
            for part in 0..<3 {
                for e in 0..<d {
                    let source = 3 * d * head + part * d + e
                    let target = part * h + head * d + e
                    for j in 0..<m.columns { out[target, j] = m[source, j] }
                }
            }
        }
        return out
    }
}

/// One worker's adapter gradients (summed over workers before the optimiser step).
final class LoRAGradients {
    private var a: [FloatBuffer] = []
    private var b: [FloatBuffer] = []
    private var index: [String: Int] = [:]
    private var work = FloatBuffer(capacity: 0)

    init(adapters: LoRAAdapters) {
        for (i, site) in adapters.sites.enumerated() {
            a.append(FloatBuffer(capacity: site.a.capacity))
            b.append(FloatBuffer(capacity: site.b.capacity))
            index["\(site.layer).\(site.linear.rawValue)"] = i
        }
    }

    func buffers(for site: LoRAAdapters.Site) -> (FloatBuffer, FloatBuffer) {
        let i = index["\(site.layer).\(site.linear.rawValue)"]!
        return (a[i], b[i])
    }

    func scratch(_ count: Int) -> FloatBuffer {
        if work.capacity < count { work = FloatBuffer(capacity: count) }
        return work
    }

    func zero() {
        for buffer in a + b { buffer.base.update(repeating: 0, count: buffer.capacity) }
    }

    /// Adds these gradients into the adapters' own gradient buffers (what the optimiser reads).
    func add(into adapters: LoRAAdapters, overwrite: Bool) {
        for (i, site) in adapters.sites.enumerated() {
            for (source, target) in [(a[i], site.ga), (b[i], site.gb)] {
                for j in 0..<source.capacity { target.base[j] = (overwrite ? 0 : target.base[j]) + source.base[j] }
            }
        }
    }
}
