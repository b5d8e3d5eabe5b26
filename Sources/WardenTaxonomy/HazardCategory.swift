import WardenCore

/// One hazard of a taxonomy, with the aliases other systems use for it.
public struct HazardCategory: Sendable, Hashable, Identifiable {
    /// Stable snake_case ID; never derived from the position in the file.
    public var id: HazardID
    public var name: String
    public var description: String
    /// Llama Guard 3 / MLCommons code such as `S1`; `nil` for hazards Llama Guard does not have.
    public var llamaGuardCode: String?
    /// OpenAI moderation category names that map onto this hazard (each name maps to one hazard only).
    public var openAINames: [String]
    /// Classifier labels whose scores feed this hazard (by default its ID); the hazard's score is their maximum.
    public var modelLabels: [String]
    /// ID of the group the hazard belongs to.
    public var group: String

    public init(
        id: HazardID, name: String, description: String, llamaGuardCode: String? = nil,
        openAINames: [String] = [], modelLabels: [String]? = nil, group: String
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.llamaGuardCode = llamaGuardCode
        self.openAINames = openAINames
        self.modelLabels = modelLabels ?? [id.rawValue]
        self.group = group
    }
}

/// A named set of hazards that policies can address at once (`category: physical`).
public struct HazardGroup: Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var description: String?

    public init(id: String, name: String, description: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
    }
}

/// The OpenAI moderation category names (omni-moderation), the only names `openai` aliases may use.
public enum OpenAIModerationCategory {
    public static let all: [String] = [
        "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
        "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors",
        "violence", "violence/graphic",
    ]
}
