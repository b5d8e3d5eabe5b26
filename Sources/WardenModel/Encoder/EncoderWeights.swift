import Foundation
import WardenTensor

/// A linear layer in PyTorch's layout: `y = x · weightᵀ + bias`, `weight` is `[out, in]`.
public struct LinearWeights: Sendable, Equatable {
    public var weight: Matrix
    public var bias: [Float]

    public init(weight: Matrix, bias: [Float]) {
        precondition(weight.rows == bias.count, "Linear: \(weight.rows) outputs but \(bias.count) biases")
        self.weight = weight
        self.bias = bias
    }

    public var inputSize: Int { weight.columns }
    public var outputSize: Int { weight.rows }
}

/// LayerNorm gain (`weight`, γ) and offset (`bias`, β).
public struct LayerNormWeights: Sendable, Equatable {
    public var gamma: [Float]
    public var beta: [Float]

    public init(gamma: [Float], beta: [Float]) {
        precondition(gamma.count == beta.count, "LayerNorm: γ and β differ in length")
        self.gamma = gamma
        self.beta = beta
    }
}

/// One post-LN BERT layer.
public struct EncoderLayerWeights: Sendable, Equatable {
    public var query: LinearWeights
    public var key: LinearWeights
    public var value: LinearWeights
    public var attentionOutput: LinearWeights
    public var attentionNorm: LayerNormWeights
    public var intermediate: LinearWeights
    public var output: LinearWeights
    public var outputNorm: LayerNormWeights

    public init(
        query: LinearWeights, key: LinearWeights, value: LinearWeights, attentionOutput: LinearWeights,
        attentionNorm: LayerNormWeights, intermediate: LinearWeights, output: LinearWeights, outputNorm: LayerNormWeights
    ) {
        self.query = query
        self.key = key
        self.value = value
        self.attentionOutput = attentionOutput
        self.attentionNorm = attentionNorm
        self.intermediate = intermediate
        self.output = output
        self.outputNorm = outputNorm
    }
}

/// All encoder parameters in Hugging Face's layout and naming, as plain values.
///
/// This is the editable form (the trainer updates it, tests build it at random); ``Encoder`` packs it once into
/// the layout its forward pass wants.
public struct EncoderWeights: Sendable, Equatable {
    public var wordEmbeddings: Matrix  // [vocabularySize, hiddenSize]
    public var positionEmbeddings: Matrix  // [maxPositionEmbeddings, hiddenSize]
    public var tokenTypeEmbeddings: Matrix  // [typeVocabularySize, hiddenSize]
    public var embeddingNorm: LayerNormWeights
    public var layers: [EncoderLayerWeights]

    public init(
        wordEmbeddings: Matrix, positionEmbeddings: Matrix, tokenTypeEmbeddings: Matrix,
        embeddingNorm: LayerNormWeights, layers: [EncoderLayerWeights]
    ) {
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNorm = embeddingNorm
        self.layers = layers
    }

    /// Checks every shape against `configuration` (a programming error if they disagree).
    func checkShapes(against c: EncoderConfiguration) {
        precondition(wordEmbeddings.rows == c.vocabularySize && wordEmbeddings.columns == c.hiddenSize, "word embeddings shape")
        precondition(positionEmbeddings.rows == c.maxPositionEmbeddings && positionEmbeddings.columns == c.hiddenSize, "position embeddings shape")
        precondition(tokenTypeEmbeddings.rows == c.typeVocabularySize && tokenTypeEmbeddings.columns == c.hiddenSize, "token type embeddings shape")
        precondition(embeddingNorm.gamma.count == c.hiddenSize, "embedding LayerNorm shape")
        precondition(layers.count == c.layerCount, "expected \(c.layerCount) layers, got \(layers.count)")
        for layer in layers {
            for linear in [layer.query, layer.key, layer.value, layer.attentionOutput] {
                precondition(linear.inputSize == c.hiddenSize && linear.outputSize == c.hiddenSize, "attention projection shape")
            }
            precondition(layer.intermediate.inputSize == c.hiddenSize && layer.intermediate.outputSize == c.intermediateSize, "intermediate shape")
            precondition(layer.output.inputSize == c.intermediateSize && layer.output.outputSize == c.hiddenSize, "output shape")
            precondition(layer.attentionNorm.gamma.count == c.hiddenSize && layer.outputNorm.gamma.count == c.hiddenSize, "LayerNorm shape")
        }
    }
}
