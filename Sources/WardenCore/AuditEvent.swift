import Foundation

/// What an audit event keeps of the conversation text, per policy.
public enum TextStorage: String, Codable, Sendable, CaseIterable {
    /// The messages as they were.
    case full
    /// Only a SHA-256 of each message, so a conversation can be matched without being kept.
    case hash
    /// Neither text nor hash.
    case none
}

/// Which checks are recorded, per policy.
public enum AuditRecording: String, Codable, Sendable, CaseIterable {
    case flagged, all, none

    /// Whether a verdict with `decision` is recorded under this setting.
    public func records(_ decision: Decision) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .flagged: decision != .allow
        }
    }
}

/// A message as the audit log keeps it: text, hash, or neither, depending on the policy.
public struct AuditMessage: Codable, Sendable, Hashable {
    public var role: Role
    public var content: String?
    public var contentHash: String?

    public init(role: Role, content: String?, contentHash: String?) {
        self.role = role
        self.content = content
        self.contentHash = contentHash
    }
}

/// One check of one turn, as recorded in the audit log.
public struct AuditEvent: Codable, Sendable, Hashable, Identifiable {
    public var id: UUID
    public var time: Date
    public var direction: Direction
    public var messages: [AuditMessage]
    public var scores: [String: Double]
    public var decision: Decision
    public var violations: [Violation]
    public var reason: String
    public var policyID: String
    /// Hash of the policy file's content, so a verdict can be traced to the exact rules in force.
    public var policyHash: String
    public var modelID: String
    public var latencyMilliseconds: Double
    /// The API key id of the caller, never the key itself.
    public var caller: String?
    /// What produced the verdict; nil for events recorded before Warden stored it.
    public var source: VerdictSource?

    public init(
        id: UUID = UUID(), time: Date = Date(), direction: Direction, messages: [AuditMessage],
        scores: [String: Double], decision: Decision, violations: [Violation], reason: String,
        policyID: String, policyHash: String, modelID: String, latencyMilliseconds: Double,
        caller: String? = nil, source: VerdictSource? = nil
    ) {
        self.id = id
        self.time = time
        self.direction = direction
        self.messages = messages
        self.scores = scores
        self.decision = decision
        self.violations = violations
        self.reason = reason
        self.policyID = policyID
        self.policyHash = policyHash
        self.modelID = modelID
        self.latencyMilliseconds = latencyMilliseconds
        self.caller = caller
        self.source = source
    }
}

/// A reviewer's judgement of an event. Reviews are kept beside the original verdict, never over it.
public struct AuditReview: Codable, Sendable, Hashable {
    public var eventID: UUID
    public var reviewer: String
    /// `true` when the reviewer judged the turn unsafe.
    public var unsafe: Bool
    /// Llama Guard codes or hazard IDs the reviewer assigned.
    public var categories: [String]
    public var note: String?
    public var time: Date

    public init(eventID: UUID, reviewer: String, unsafe: Bool, categories: [String], note: String?, time: Date = Date()) {
        self.eventID = eventID
        self.reviewer = reviewer
        self.unsafe = unsafe
        self.categories = categories
        self.note = note
        self.time = time
    }
}

/// Where the pipeline records events. The SQLite store is the embedded default.
public protocol AuditStore: Sendable {
    /// Records an event. Implementations may queue it; they must not lose it silently: an event they cannot vouch
    /// for throws (an ``UnconfirmedAuditEvent`` when the request may still be served).
    func record(_ event: AuditEvent) async throws
}

/// An audit store's error after which the request is still served, without an audit ID: the store chose to keep
/// serving (fail-open) but cannot vouch for the event (a full queue dropped it, or its commit failed and it waits
/// for a retry). Callers must then not hand out the event's ID as if it were recorded.
public protocol UnconfirmedAuditEvent: Error {
    /// Whether this error is such a case (an error type may have others).
    var servesWithoutAuditID: Bool { get }
}
