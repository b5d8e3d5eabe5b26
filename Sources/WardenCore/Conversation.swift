/// Who wrote a message in a conversation.
public enum Role: String, Codable, Sendable, CaseIterable {
    case system, user, assistant, tool
}

/// One turn of a conversation.
public struct Message: Codable, Sendable, Hashable {
    public var role: Role
    public var content: String

    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }

    public static func user(_ content: String) -> Message { Message(role: .user, content: content) }
    public static func assistant(_ content: String) -> Message { Message(role: .assistant, content: content) }
    public static func system(_ content: String) -> Message { Message(role: .system, content: content) }
}

/// Which side of the exchange is being judged.
///
/// `input` judges the last user turn (with earlier turns as context); `output` judges the last
/// assistant turn in the context of the user turn before it.
public enum Direction: String, Codable, Sendable, CaseIterable {
    case input, output

    /// The role whose last turn this direction judges.
    public var judgedRole: Role { self == .input ? .user : .assistant }
}

/// An ordered list of messages.
public struct Conversation: Codable, Sendable, Hashable {
    public var messages: [Message]

    public init(_ messages: [Message]) { self.messages = messages }

    public init(prompt: String, response: String? = nil) {
        var messages = [Message.user(prompt)]
        if let response { messages.append(.assistant(response)) }
        self.messages = messages
    }

    /// The direction a check of this conversation judges by default: the last turn's side.
    public var defaultDirection: Direction {
        messages.last?.role == .assistant ? .output : .input
    }

    /// Index of the last message with `role`, if any.
    public func lastIndex(of role: Role) -> Int? {
        messages.lastIndex { $0.role == role }
    }

    /// The one rule for which turn a check judges: the last turn of the direction's role, else the last turn
    /// (nil for an empty conversation).
    public func judgedIndex(for direction: Direction) -> Int? {
        lastIndex(of: direction.judgedRole) ?? (messages.isEmpty ? nil : messages.count - 1)
    }

    /// The total number of characters of all message contents.
    public var characterCount: Int { messages.reduce(0) { $0 + $1.content.count } }
}
