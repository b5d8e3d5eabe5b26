import Foundation

/// Why a safetensors file could not be read or written. Every case names the file (and the tensor, when one is
/// involved) so the message tells the user which artefact to replace.
public enum SafeTensorsError: Error, Sendable, CustomStringConvertible, LocalizedError {
    case unreadable(file: String, reason: String)
    /// The file ends before the header or before a tensor's data.
    case truncated(file: String, detail: String)
    case malformedHeader(file: String, detail: String)
    case unknownDType(file: String, tensor: String, dtype: String)
    /// The tensor exists but its element type cannot be read as floats (e.g. `I64` position ids).
    case unsupportedDType(file: String, tensor: String, dtype: String)
    case missingTensor(file: String, tensor: String)
    case wrongShape(file: String, tensor: String, expected: [Int], actual: [Int])
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "Cannot read safetensors file \(file): \(reason)."
        case .truncated(let file, let detail):
            return "Safetensors file \(file) is truncated (\(detail)). Re-download it (`warden model fetch`)."
        case .malformedHeader(let file, let detail):
            return "Safetensors file \(file) has a malformed header: \(detail)."
        case .unknownDType(let file, let tensor, let dtype):
            return "Tensor '\(tensor)' in \(file) has unknown dtype '\(dtype)'."
        case .unsupportedDType(let file, let tensor, let dtype):
            return "Tensor '\(tensor)' in \(file) has dtype \(dtype); Warden reads only F32, F16 and BF16 as floats."
        case .missingTensor(let file, let tensor):
            return "Tensor '\(tensor)' is missing from \(file); is this the right model file?"
        case .wrongShape(let file, let tensor, let expected, let actual):
            return "Tensor '\(tensor)' in \(file) has shape \(actual), expected \(expected); the file does not match config.json."
        case .unwritable(let file, let reason):
            return "Cannot write safetensors file \(file): \(reason)."
        }
    }

    public var errorDescription: String? { description }
}
