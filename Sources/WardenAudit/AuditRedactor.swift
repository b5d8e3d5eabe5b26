import Crypto
import Foundation
import WardenCore

/// Applies a policy's ``TextStorage`` to conversation text before it reaches the audit log.
public enum AuditRedactor {
    /// The messages as the audit log should keep them under `storage`.
    ///
    /// - Parameters:
    ///   - messages: The conversation as checked.
    ///   - storage: `.full` keeps the text, `.hash` keeps only its SHA-256 (lowercase hex of the UTF-8 bytes),
    ///     `.none` keeps the role alone.
    /// - Returns: One ``AuditMessage`` per input message, in order.
    public static func messages(_ messages: [Message], storage: TextStorage) -> [AuditMessage] {
        messages.map { message in
            switch storage {
            case .full: AuditMessage(role: message.role, content: message.content, contentHash: nil)
            case .hash: AuditMessage(role: message.role, content: nil, contentHash: sha256Hex(message.content))
            case .none: AuditMessage(role: message.role, content: nil, contentHash: nil)
            }
        }
    }

    /// `event` with its messages reduced to what `storage` allows.
    ///
    /// Text already hashed or dropped stays so; redaction never adds information back.
    public static func redact(_ event: AuditEvent, storage: TextStorage) -> AuditEvent {
        var event = event
        event.messages = event.messages.map { message in
            switch storage {
            case .full:
                return message
            case .hash:
                let hash = message.content.map(sha256Hex) ?? message.contentHash
                return AuditMessage(role: message.role, content: nil, contentHash: hash)
            case .none:
                return AuditMessage(role: message.role, content: nil, contentHash: nil)
            }
        }
        return event
    }

    /// Lowercase hex SHA-256 of the UTF-8 bytes of `text`, as `sha256sum` prints it.
    public static func sha256Hex(_ text: String) -> String {
        let digest = SHA256.hash(data: Data(text.utf8))
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
