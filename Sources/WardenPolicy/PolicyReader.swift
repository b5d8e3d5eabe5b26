import WardenCore
import WardenTaxonomy
import WardenConfig

/// Walks a policy's YAML tree, collecting every problem instead of stopping at the first.
struct PolicyReader {
    let taxonomy: HazardTaxonomy
    private(set) var issues: [ConfigurationIssue] = []

    init(taxonomy: HazardTaxonomy) { self.taxonomy = taxonomy }

    /// Runs `body`; a thrown issue is recorded and `nil` returned, so reading can go on.
    mutating func attempt<T>(_ body: () throws(ConfigurationIssue) -> T) -> T? {
        do { return try body() } catch {
            issues.append(error)
            return nil
        }
    }

    mutating func report(_ issue: ConfigurationIssue) { issues.append(issue) }

    /// The mapping of `node` with its unknown keys reported (and skipped) rather than ending the read.
    mutating func mapping(_ node: ConfigNode, allowed: [String], required: [String] = []) -> ConfigMapping? {
        var unknown: [ConfigurationIssue] = []
        let result = attempt { () throws(ConfigurationIssue) in try node.mapping(allowed: allowed, required: required) { unknown.append($0) } }
        issues += unknown
        return result
    }

    /// Reads one value, recording its problem (if any) and going on.
    mutating func value<T>(_ body: () throws(ConfigurationIssue) -> T) -> T? { attempt(body) }

    /// Reads the whole policy. Throws only when the root is unusable; other problems are collected.
    mutating func read(_ root: ConfigNode) throws(ConfigurationIssue) -> Policy {
        var unknownRootKeys: [ConfigurationIssue] = []
        let mapping = try root.mapping(allowed: PolicyLoader.rootKeys, required: ["id", "taxonomy"]) { unknownRootKeys.append($0) }
        issues += unknownRootKeys
        let id = attempt { () throws(ConfigurationIssue) in try mapping.required("id").string() } ?? ""
        let taxonomyNode = try mapping.required("taxonomy")
        if let taxonomyID = attempt({ () throws(ConfigurationIssue) in try taxonomyNode.string() }), taxonomyID != taxonomy.id {
            report(taxonomyNode.issue("'\(taxonomyID)' does not match the taxonomy in use ('\(taxonomy.id)')"))
        }
        var policy = Policy(id: id, taxonomyID: taxonomy.id)
        policy.description = mapping["description"].flatMap { node in attempt { () throws(ConfigurationIssue) in try node.string() } }
        if let node = mapping["defaults"] { policy.defaults = readDefaults(node) ?? policy.defaults }
        if let node = mapping["on_error"] {
            policy.onError = attempt { () throws(ConfigurationIssue) in
                try Decision(rawValue: node.choice([Decision.block.rawValue, Decision.allow.rawValue]))!
            } ?? policy.onError
        }
        if let node = mapping["audit"] { policy.audit = readAudit(node) ?? policy.audit }
        if let node = mapping["limits"] { policy.limits = readLimits(node) ?? policy.limits }
        if let node = mapping["custom_categories"] { policy.customCategories = readCustomCategories(node) }
        if let node = mapping["deny_list"] { policy.denyList = readList(node, name: "deny_list") }
        if let node = mapping["allow_list"] { policy.allowList = readList(node, name: "allow_list") }
        for direction in Direction.allCases {
            guard let node = mapping[direction.rawValue] else { continue }
            let rules = readRules(node, defaults: policy.defaults, customIDs: Set(policy.customCategories.map(\.id)))
            checkReachability(rules, in: node)
            if direction == .input { policy.input = rules } else { policy.output = rules }
        }
        return policy
    }

    // MARK: - Sections

    // Each field is read on its own, so one run reports every bad field of a section.

    private mutating func readDefaults(_ node: ConfigNode) -> PolicyDefaults? {
        guard let mapping = mapping(node, allowed: ["threshold", "decision"]) else { return nil }
        var defaults = PolicyDefaults()
        if let threshold = mapping["threshold"] {
            if Self.isModelThreshold(threshold) {
                defaults.usesModelThreshold = true
            } else if let value = value({ () throws(ConfigurationIssue) in try Self.threshold(threshold) }) {
                defaults.threshold = value
            }
        }
        if let decision = mapping["decision"], let value = value({ () throws(ConfigurationIssue) in try Self.decision(decision) }) {
            defaults.decision = value
        }
        return defaults
    }

    private mutating func readAudit(_ node: ConfigNode) -> AuditSettings? {
        guard let mapping = mapping(node, allowed: ["record", "store_text", "retention_days"]) else { return nil }
        var audit = AuditSettings()
        if let record = mapping["record"], let value = value({ () throws(ConfigurationIssue) in
            AuditRecording(rawValue: try record.choice(AuditRecording.allCases.map(\.rawValue)))!
        }) { audit.record = value }
        if let store = mapping["store_text"], let value = value({ () throws(ConfigurationIssue) in
            TextStorage(rawValue: try store.choice(TextStorage.allCases.map(\.rawValue)))!
        }) { audit.storeText = value }
        if let days = mapping["retention_days"] { audit.retentionDays = value { () throws(ConfigurationIssue) in try Self.positive(days) } }
        return audit
    }

    private mutating func readLimits(_ node: ConfigNode) -> Limits? {
        guard let mapping = mapping(node, allowed: ["max_input_chars", "max_input_tokens"]) else { return nil }
        var limits = Limits()
        if let chars = mapping["max_input_chars"], let value = value({ () throws(ConfigurationIssue) in try Self.positive(chars) }) {
            limits.maxInputCharacters = value
        }
        if let tokens = mapping["max_input_tokens"] { limits.maxInputTokens = value { () throws(ConfigurationIssue) in try Self.positive(tokens) } }
        return limits
    }

    // MARK: - Scalars

    static func threshold(_ node: ConfigNode) throws(ConfigurationIssue) -> Double {
        guard let value = try? node.double() else {
            throw node.issue("expected a number in [0, 1] or `model` (the model's operating threshold), found '\(node.scalarText)'")
        }
        guard (0...1).contains(value) else { throw node.issue("\(node.scalarText) is outside [0, 1]") }
        return value
    }

    /// `threshold: model`: use the model bundle's operating threshold.
    static func isModelThreshold(_ node: ConfigNode) -> Bool { node.node.scalar?.string == "model" }

    static func decision(_ node: ConfigNode) throws(ConfigurationIssue) -> Decision {
        Decision(rawValue: try node.choice(Decision.allCases.map(\.rawValue)))!
    }

    static func positive(_ node: ConfigNode) throws(ConfigurationIssue) -> Int {
        let value = try node.int()
        guard value > 0 else { throw node.issue("must be a positive whole number, found \(value)") }
        return value
    }
}

extension ConfigNode {
    /// The scalar as written in the file, for messages.
    var scalarText: String { node.scalar?.string ?? "value" }
}
