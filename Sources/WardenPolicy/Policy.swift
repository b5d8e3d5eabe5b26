import WardenCore

/// A loaded, validated policy: what to do with the classifier's scores, per direction.
///
/// Build one with ``PolicyLoader``; see `Policies/README.md` for the file format.
public struct Policy: Sendable, Hashable {
    public var id: String
    /// ID of the taxonomy the rules refer to (must match the taxonomy the policy is loaded with).
    public var taxonomyID: String
    public var description: String?
    /// Threshold and decision for every taxonomy category that no rule of a direction mentions.
    public var defaults: PolicyDefaults
    /// Rules for the user's turn, in file order.
    public var input: [PolicyRule]
    /// Rules for the assistant's turn, in file order.
    public var output: [PolicyRule]
    /// What to decide when the classifier fails or times out: `.block` fails closed, `.allow` fails open.
    public var onError: Decision
    public var audit: AuditSettings
    public var limits: Limits
    /// Phrases or patterns that block without asking the model. Deny beats allow.
    public var denyList: [ListEntry]
    /// Phrases or patterns that allow without asking the model (they must match the whole turn).
    public var allowList: [ListEntry]
    /// Categories defined by examples and scored by embedding similarity.
    public var customCategories: [CustomCategory]
    /// SHA-256 (hex) of the file's bytes, recorded in audit events to trace a verdict to its rules.
    public var contentHash: String
    /// Where the policy came from (a file path), for messages.
    public var source: String

    public init(
        id: String, taxonomyID: String, description: String? = nil,
        defaults: PolicyDefaults = PolicyDefaults(), input: [PolicyRule] = [], output: [PolicyRule] = [],
        onError: Decision = .block, audit: AuditSettings = AuditSettings(), limits: Limits = Limits(),
        denyList: [ListEntry] = [], allowList: [ListEntry] = [], customCategories: [CustomCategory] = [],
        contentHash: String = "", source: String = ""
    ) {
        self.id = id
        self.taxonomyID = taxonomyID
        self.description = description
        self.defaults = defaults
        self.input = input
        self.output = output
        self.onError = onError
        self.audit = audit
        self.limits = limits
        self.denyList = denyList
        self.allowList = allowList
        self.customCategories = customCategories
        self.contentHash = contentHash
        self.source = source
    }

    /// The rules of one direction, in order.
    public func rules(for direction: Direction) -> [PolicyRule] {
        direction == .input ? input : output
    }
}

/// The fallback for taxonomy categories a direction's rules do not mention.
public struct PolicyDefaults: Sendable, Hashable {
    public var threshold: Double
    /// `threshold: model`: each category's threshold is the model's operating threshold for it (the bundle's
    /// `thresholds`); `threshold` is then only the fallback for labels the model has no threshold for.
    public var usesModelThreshold: Bool
    public var decision: Decision

    /// Llama Guard's behaviour: every category blocks at 0.5.
    public init(threshold: Double = 0.5, usesModelThreshold: Bool = false, decision: Decision = .block) {
        self.threshold = threshold
        self.usesModelThreshold = usesModelThreshold
        self.decision = decision
    }
}

/// One rule: the categories it governs, the score at which it fires, and what it decides.
///
/// A rule fires for a category when the category's score is `>=` the threshold. Within a category,
/// the first rule (in file order) that fires wins; across categories, block beats review beats allow.
public struct PolicyRule: Sendable, Hashable {
    /// The hazards the rule governs (groups already expanded); may include the overall `unsafe`.
    public var categories: [HazardID]
    /// The names as written in the file (IDs, codes, OpenAI names or group names), for explanations.
    public var selector: [String]
    public var threshold: Double
    /// `threshold: model`: the rule fires at the model's operating threshold of each category it governs
    /// (``PolicyEngine/threshold(of:for:)``); `threshold` is the fallback where the model has none.
    public var usesModelThreshold: Bool
    public var decision: Decision
    /// Where the rule is written, such as `input[2]`.
    public var location: String

    public init(
        categories: [HazardID], selector: [String]? = nil, threshold: Double, usesModelThreshold: Bool = false,
        decision: Decision, location: String
    ) {
        self.categories = categories
        self.selector = selector ?? categories.map(\.rawValue)
        self.threshold = threshold
        self.usesModelThreshold = usesModelThreshold
        self.decision = decision
        self.location = location
    }

    /// How the threshold reads in explanations.
    public var thresholdDescription: String { usesModelThreshold ? "model" : String(threshold) }
}

/// What the audit log keeps for checks under this policy.
public struct AuditSettings: Sendable, Hashable {
    public var record: AuditRecording
    public var storeText: TextStorage
    /// Days to keep events; `nil` keeps them until pruned by hand.
    public var retentionDays: Int?

    public init(record: AuditRecording = .flagged, storeText: TextStorage = .full, retentionDays: Int? = nil) {
        self.record = record
        self.storeText = storeText
        self.retentionDays = retentionDays
    }
}

/// Size limits checked before the model runs (input direction only).
public struct Limits: Sendable, Hashable {
    /// Maximum characters of the whole conversation sent for an input check.
    public var maxInputCharacters: Int
    /// Maximum tokens, checked when the caller passes a token count to ``PolicyEngine/screen(_:tokenCount:)``.
    public var maxInputTokens: Int?

    public init(maxInputCharacters: Int = 100_000, maxInputTokens: Int? = nil) {
        self.maxInputCharacters = maxInputCharacters
        self.maxInputTokens = maxInputTokens
    }
}
