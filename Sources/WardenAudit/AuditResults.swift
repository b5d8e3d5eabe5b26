import Foundation
import WardenCore

/// One line of an event listing: the verdict without the conversation. Its JSON keys are the verdict object's
/// (`policy`, `model`, `llama_guard_codes`, `source`; Docs/service.md, "The verdict object").
public struct AuditEventSummary: Codable, Sendable, Hashable, Identifiable {
    public var id: UUID
    public var time: Date
    public var direction: Direction
    public var decision: Decision
    public var reason: String
    public var policyID: String
    public var modelID: String
    public var latencyMilliseconds: Double
    public var caller: String?
    public var unsafeScore: Double?
    /// Hazard IDs of the violations, in rule order.
    public var categories: [String]
    /// Llama Guard codes of the violations that have one.
    public var codes: [String]
    public var reviewCount: Int
    /// The latest review's label, when reviewed.
    public var reviewedUnsafe: Bool?
    /// For text searches: the best-matching passage, matches in `[` `]`.
    public var snippet: String?
    /// What produced the verdict; nil for events recorded before Warden stored it.
    public var source: VerdictSource?

    enum CodingKeys: String, CodingKey {
        case id, time, direction, decision, reason, latencyMilliseconds, caller, unsafeScore, categories, reviewCount
        case reviewedUnsafe, snippet, source
        case policyID = "policy", modelID = "model", codes = "llamaGuardCodes"
    }

    package init(
        id: UUID, time: Date, direction: Direction, decision: Decision, reason: String, policyID: String, modelID: String,
        latencyMilliseconds: Double, caller: String?, unsafeScore: Double?, categories: [String], codes: [String],
        reviewCount: Int, reviewedUnsafe: Bool?, snippet: String?, source: VerdictSource?
    ) {
        self.id = id
        self.time = time
        self.direction = direction
        self.decision = decision
        self.reason = reason
        self.policyID = policyID
        self.modelID = modelID
        self.latencyMilliseconds = latencyMilliseconds
        self.caller = caller
        self.unsafeScore = unsafeScore
        self.categories = categories
        self.codes = codes
        self.reviewCount = reviewCount
        self.reviewedUnsafe = reviewedUnsafe
        self.snippet = snippet
        self.source = source
    }
}

/// A page of events, newest first.
public struct AuditPage: Codable, Sendable, Hashable {
    public var events: [AuditEventSummary]
    /// Pass as ``AuditQuery/cursor`` to get the next page; `nil` on the last page.
    public var nextCursor: String?

    package init(events: [AuditEventSummary], nextCursor: String?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}

/// Everything recorded about one event: the event as recorded, and its reviews, oldest first.
public struct AuditEventDetail: Codable, Sendable, Hashable {
    public var event: AuditEvent
    public var reviews: [AuditReview]

    package init(event: AuditEvent, reviews: [AuditReview]) {
        self.event = event
        self.reviews = reviews
    }

    /// The review that counts: the latest one.
    public var latestReview: AuditReview? { reviews.last }
}

/// Counts over the events a query selects.
public struct AuditStatistics: Codable, Sendable, Hashable {
    public struct Count: Codable, Sendable, Hashable {
        public var key: String
        public var count: Int

        package init(key: String, count: Int) {
            self.key = key
            self.count = count
        }
    }

    public struct Day: Codable, Sendable, Hashable {
        /// `YYYY-MM-DD`, UTC.
        public var day: String
        public var total: Int
        public var review: Int
        public var block: Int

        package init(day: String, total: Int, review: Int, block: Int) {
            self.day = day
            self.total = total
            self.review = review
            self.block = block
        }
    }

    public var total: Int
    public var reviewed: Int
    /// Events per decision, every decision listed.
    public var byDecision: [Count]
    /// Events with a violation of each category (an event with two categories counts in both), most first.
    /// The key is the Llama Guard code when there is one, else the hazard ID.
    public var byCategory: [Count]
    /// Events per UTC day, oldest first.
    public var byDay: [Day]

    package init(total: Int, reviewed: Int, byDecision: [Count], byCategory: [Count], byDay: [Day]) {
        self.total = total
        self.reviewed = reviewed
        self.byDecision = byDecision
        self.byCategory = byCategory
        self.byDay = byDay
    }
}
