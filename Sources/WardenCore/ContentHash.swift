import Crypto
import Foundation

/// SHA-256 in lowercase hex, as `sha256sum` prints it: the one spelling of audit text hashes, policy content hashes
/// and model file hashes.
public enum ContentHash {
    /// Lowercase hex of `bytes` (a digest).
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Of the UTF-8 bytes of `text`.
    public static func sha256Hex(_ text: String) -> String { sha256Hex(Data(text.utf8)) }

    /// Of a file, read in 1 MiB chunks (model weights are too large to read whole).
    public static func sha256Hex(contentsOf url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }
}

extension TextStorage {
    /// The messages as the audit log keeps them under this setting: the text, its SHA-256 (hex of the UTF-8 bytes),
    /// or the role alone. Already hashed or dropped text stays so: storing never adds information back.
    public func stored(_ messages: [AuditMessage]) -> [AuditMessage] {
        messages.map { message in
            switch self {
            case .full: message
            case .hash: AuditMessage(role: message.role, content: nil, contentHash: message.content.map(ContentHash.sha256Hex) ?? message.contentHash)
            case .none: AuditMessage(role: message.role, content: nil, contentHash: nil)
            }
        }
    }

    /// The messages of a conversation as the audit log keeps them under this setting.
    public func stored(_ messages: [Message]) -> [AuditMessage] {
        stored(messages.map { AuditMessage(role: $0.role, content: $0.content, contentHash: nil) })
    }
}
