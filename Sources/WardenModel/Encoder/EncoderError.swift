import Foundation

/// Why an encoder could not be loaded or run.
public enum EncoderError: Error, Sendable, CustomStringConvertible, LocalizedError {
    case invalidConfiguration(file: String, key: String?, reason: String)
    /// The model directory lacks `config.json` or `model.safetensors`.
    case missingModelFile(path: String)
    /// A token id is outside the model's vocabulary (tokenizer and model do not belong together).
    case tokenOutOfRange(sequence: Int, position: Int, tokenID: Int, vocabularySize: Int)
    case tokenTypeOutOfRange(sequence: Int, position: Int, tokenTypeID: Int, typeVocabularySize: Int)
    /// A sequence is longer than the position table; truncate it (or window it) before encoding.
    case sequenceTooLong(sequence: Int, length: Int, maximum: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let file, let key, let reason):
            return "Invalid encoder configuration in \(file)\(key.map { " (key '\($0)')" } ?? ""): \(reason)."
        case .missingModelFile(let path):
            return "Model file \(path) does not exist; run `warden model fetch` or point to a directory with config.json and model.safetensors."
        case .tokenOutOfRange(let sequence, let position, let id, let size):
            return "Token id \(id) at position \(position) of sequence \(sequence) is outside the vocabulary (size \(size)); the tokenizer's vocab.txt does not match the model."
        case .tokenTypeOutOfRange(let sequence, let position, let id, let size):
            return "Token type \(id) at position \(position) of sequence \(sequence) is outside 0..<\(size)."
        case .sequenceTooLong(let sequence, let length, let maximum):
            return "Sequence \(sequence) has \(length) tokens; the model takes at most \(maximum). Truncate or window the input."
        }
    }

    public var errorDescription: String? { description }
}
