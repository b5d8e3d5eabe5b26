import Foundation
import WardenCore

/// One entry of a policy's deny or allow list.
public struct ListEntry: Sendable, Hashable {
    public var pattern: TextPattern
    /// Why the entry exists; shown in verdict reasons.
    public var reason: String
    /// The hazard a deny match is reported under (defaults to `deny_list`).
    public var category: HazardID?
    /// Where the entry is written, such as `deny_list[0]`.
    public var location: String

    public init(pattern: TextPattern, reason: String, category: HazardID? = nil, location: String) {
        self.pattern = pattern
        self.reason = reason
        self.category = category
        self.location = location
    }
}

/// A phrase or a regular expression, matched case-insensitively against normalized text.
public enum TextPattern: Sendable, Hashable {
    case phrase(String)
    case regex(CompiledRegex)

    /// A regular expression pattern.
    /// - Throws: ``PolicyError/invalidRegex(_:reason:)`` when it does not compile.
    public static func regex(_ pattern: String) throws(PolicyError) -> TextPattern {
        .regex(try CompiledRegex(pattern))
    }
}

/// A compiled, case-insensitive regular expression. `NSRegularExpression` is immutable and safe
/// to share across threads once built, which is why this wrapper can be `Sendable`.
public final class CompiledRegex: @unchecked Sendable, Hashable {
    public let pattern: String
    let expression: NSRegularExpression
    /// The same pattern anchored at both ends, for allow entries that must cover the whole turn.
    let wholeExpression: NSRegularExpression

    public init(_ pattern: String) throws(PolicyError) {
        self.pattern = pattern
        do {
            expression = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            wholeExpression = try NSRegularExpression(pattern: "^(?:\(pattern))$", options: [.caseInsensitive])
        } catch {
            throw .invalidRegex(pattern, reason: "\(error.localizedDescription)")
        }
    }

    /// Whether the expression matches somewhere in `text`.
    func matches(in text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Whether the expression matches the whole of `text`.
    func matchesWhole(_ text: String) -> Bool {
        wholeExpression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    public static func == (lhs: CompiledRegex, rhs: CompiledRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
