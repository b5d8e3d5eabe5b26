import Foundation
import WardenCore

/// Applies a policy's ``TextStorage`` to conversation text before it reaches the audit log (the rule itself is
/// `TextStorage.stored`, shared with the guard that builds events).
public enum AuditRedactor {
    /// The messages as the audit log should keep them under `storage`: `.full` keeps the text, `.hash` keeps only its
    /// SHA-256 (lowercase hex of the UTF-8 bytes), `.none` keeps the role alone. One per input message, in order.
    public static func messages(_ messages: [Message], storage: TextStorage) -> [AuditMessage] {
        storage.stored(messages)
    }

    /// `event` with its messages reduced to what `storage` allows; redaction never adds information back.
    public static func redact(_ event: AuditEvent, storage: TextStorage) -> AuditEvent {
        var event = event
        event.messages = storage.stored(event.messages)
        return event
    }

    /// Lowercase hex SHA-256 of the UTF-8 bytes of `text`, as `sha256sum` prints it.
    public static func sha256Hex(_ text: String) -> String { ContentHash.sha256Hex(text) }
}
