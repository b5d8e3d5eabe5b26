import WardenTensor

/// An encoder that a trainer owns and changes: a private copy of an ``Encoder``'s parameters.
///
/// ``Encoder`` is immutable and shared between tasks; training needs the opposite. A `TrainingEncoder` holds a
/// packed parameter block of its own (``parameters``, laid out as ``parameterLayout``), runs the forward and
/// backward passes over it itself, and hands out only copies (``snapshot()``), so no shared encoder ever sees its
/// parameters change. Not `Sendable`: its parallel regions read the parameters, and the trainer writes them only
/// between passes.
public final class TrainingEncoder {
    /// Over this object's own packed block; never leaves it.
    private let encoder: Encoder

    /// A copy of `source`'s parameters, to train.
    public init(copying source: Encoder) {
        encoder = Encoder(packed: PackedEncoderWeights(copying: source.packed))
    }

    public var configuration: EncoderConfiguration { encoder.configuration }
    public var parameterLayout: EncoderParameterLayout { encoder.parameterLayout }

    /// The packed parameters, written by the optimiser between passes (offsets from ``parameterLayout``).
    public var parameters: FloatBuffer { encoder.packed.parameters }

    /// The current parameters in Hugging Face layout (a copy).
    public var weights: EncoderWeights { encoder.weights }

    /// An immutable encoder with the current parameters, safe to share and serve.
    public func snapshot() -> Encoder {
        Encoder(packed: PackedEncoderWeights(copying: encoder.packed))
    }

    /// Inference over the current parameters (see ``Encoder/encode(_:options:workspace:)``).
    public func encode(_ batch: PackedBatch, options: EncoderOptions = EncoderOptions(), workspace: EncoderWorkspace? = nil) throws -> EncoderOutput {
        try encoder.encode(batch, options: options, workspace: workspace)
    }

    /// The forward pass that keeps what ``backward(_:pooledGradients:gradients:)`` needs.
    public func encodeForTraining(_ batch: PackedBatch, options: EncoderOptions = EncoderOptions()) throws -> (EncoderOutput, EncoderActivations) {
        try encoder.encodeForTraining(batch, options: options)
    }

    /// Parameter gradients of a training forward pass (see ``Encoder/backward(_:pooledGradients:gradients:)``).
    public func backward(_ activations: EncoderActivations, pooledGradients: [Int: Matrix], gradients: EncoderGradients) {
        encoder.backward(activations, pooledGradients: pooledGradients, gradients: gradients)
    }
}
