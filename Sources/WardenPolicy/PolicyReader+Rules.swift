import WardenCore
import WardenTaxonomy
import WardenConfig

extension PolicyReader {
    // MARK: - Rules

    mutating func readRules(_ node: ConfigNode, defaults: PolicyDefaults, customIDs: Set<String>) -> [PolicyRule] {
        guard let elements = attempt({ () throws(ConfigurationIssue) in try node.sequence() }) else { return [] }
        var rules: [PolicyRule] = []
        for element in elements {
            let taxonomy = self.taxonomy
            // Unknown keys, a bad threshold and a bad decision are each reported; the category is read first.
            guard let mapping = mapping(element, allowed: ["category", "threshold", "decision"], required: ["category", "decision"]) else {
                continue
            }
            let thresholdProblem = mapping["threshold"].flatMap { node in
                Self.isModelThreshold(node) ? nil : Self.problem { () throws(ConfigurationIssue) in _ = try Self.threshold(node) }
            }
            let decisionProblem = mapping["decision"].flatMap { node in
                Self.problem { () throws(ConfigurationIssue) in _ = try Self.decision(node) }
            }
            let rule = attempt { () throws(ConfigurationIssue) -> PolicyRule in
                let categoryNode = try mapping.required("category")
                let names = try categoryNode.strings()
                var categories: [HazardID] = []
                for name in names {
                    for id in try Self.resolve(name, in: taxonomy, customIDs: customIDs, at: categoryNode)
                    where !categories.contains(id) {
                        categories.append(id)
                    }
                }
                // A rule without a threshold inherits the defaults' (a number, or `model`).
                var threshold = defaults.threshold
                var usesModel = defaults.usesModelThreshold
                if let node = mapping["threshold"] {
                    usesModel = Self.isModelThreshold(node)
                    if !usesModel { threshold = try Self.threshold(node) }
                }
                return PolicyRule(
                    categories: categories, selector: names, threshold: threshold, usesModelThreshold: usesModel,
                    decision: try Self.decision(mapping.required("decision")), location: element.keyPath
                )
            }
            if let rule { rules.append(rule) }
            // Reported here only when the category read did not already stop at them.
            for problem in [thresholdProblem, decisionProblem].compactMap({ $0 }) where !issues.contains(problem) { report(problem) }
        }
        return rules
    }

    /// The issue `check` throws, if any.
    static func problem(_ check: () throws(ConfigurationIssue) -> Void) -> ConfigurationIssue? {
        do { try check(); return nil } catch { return error }
    }

    /// The hazards a rule's `category` name stands for: an ID, a Llama Guard code, an OpenAI name,
    /// a group (all its members) or `unsafe`.
    static func resolve(_ name: String, in taxonomy: HazardTaxonomy, customIDs: Set<String>, at node: ConfigNode)
        throws(ConfigurationIssue) -> [HazardID]
    {
        if name == HazardTaxonomy.unsafeName { return [HazardID(name)] }
        if let ids = taxonomy.resolveAll(name) { return ids }
        let bare = name.hasPrefix(CustomCategory.labelPrefix) ? String(name.dropFirst(CustomCategory.labelPrefix.count)) : name
        if customIDs.contains(bare) {
            throw node.issue("'\(name)' is a custom category; it takes its threshold and decision from custom_categories, not from rules")
        }
        let candidates = taxonomy.categories.map(\.id.rawValue) + taxonomy.groups.map(\.id) + [HazardTaxonomy.unsafeName]
        let hint = ConfigurationIssue.closest(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
        throw node.issue("unknown category or group '\(name)'\(hint) in taxonomy '\(taxonomy.id)'")
    }

    /// Reports rules that can never fire: every category they name is already decided by an earlier
    /// rule of the same direction whose threshold is at most theirs (that rule fires first whenever
    /// this one would).
    mutating func checkReachability(_ rules: [PolicyRule], in node: ConfigNode) {
        for (index, rule) in rules.enumerated() {
            var coveredBy: [String] = []
            var allCovered = !rule.categories.isEmpty
            for category in rule.categories {
                // Two `model` thresholds are equal per category; a number against `model` cannot be compared here.
                let earlier = rules[..<index].first { candidate in
                    guard candidate.categories.contains(category) else { return false }
                    switch (candidate.usesModelThreshold, rule.usesModelThreshold) {
                    case (true, true): return true
                    case (false, false): return candidate.threshold <= rule.threshold
                    default: return false
                    }
                }
                guard let earlier else {
                    allCovered = false
                    break
                }
                coveredBy.append("\(category) by \(earlier.location) at \(earlier.thresholdDescription)")
            }
            guard allCovered else { continue }
            let line = (try? node.sequence())?.first { $0.keyPath == rule.location }?.line
            report(ConfigurationIssue(
                file: node.file, keyPath: rule.location,
                message: "unreachable rule: every category it names is decided first by an earlier rule with a threshold <= \(rule.thresholdDescription) (\(coveredBy.joined(separator: "; ")))",
                line: line
            ))
        }
    }

    // MARK: - Deny and allow lists

    mutating func readList(_ node: ConfigNode, name: String) -> [ListEntry] {
        guard let elements = attempt({ () throws(ConfigurationIssue) in try node.sequence() }) else { return [] }
        let isDeny = name == "deny_list"
        var entries: [ListEntry] = []
        for element in elements {
            let taxonomy = self.taxonomy
            let entry = attempt { () throws(ConfigurationIssue) -> ListEntry in
                let allowed = isDeny ? ["phrase", "regex", "reason", "category"] : ["phrase", "regex", "reason"]
                let mapping = try element.mapping(allowed: allowed, required: ["reason"])
                let pattern: TextPattern
                switch (mapping["phrase"], mapping["regex"]) {
                case (let phrase?, nil):
                    pattern = .phrase(try phrase.string())
                case (nil, let regex?):
                    let text = try regex.string()
                    do throws(PolicyError) { pattern = try TextPattern.regex(text) } catch {
                        throw regex.issue("\(error)")
                    }
                default:
                    throw element.issue("needs exactly one of 'phrase' or 'regex'")
                }
                var category: HazardID?
                if let categoryNode = mapping["category"] {
                    let value = try categoryNode.string()
                    guard let id = value == HazardTaxonomy.unsafeName ? HazardID(value) : taxonomy.resolve(value) else {
                        let hint = ConfigurationIssue.closest(to: value, in: taxonomy.categories.map(\.id.rawValue)).map { " (did you mean '\($0)'?)" } ?? ""
                        throw categoryNode.issue("unknown category '\(value)'\(hint); a list entry names one category, not a group")
                    }
                    category = id
                }
                return ListEntry(pattern: pattern, reason: try mapping.required("reason").string(), category: category, location: element.keyPath)
            }
            if let entry { entries.append(entry) }
        }
        return entries
    }

    // MARK: - Custom categories

    mutating func readCustomCategories(_ node: ConfigNode) -> [CustomCategory] {
        guard let elements = attempt({ () throws(ConfigurationIssue) in try node.sequence() }) else { return [] }
        var categories: [CustomCategory] = []
        for element in elements {
            let taxonomy = self.taxonomy
            let existing = Set(categories.map(\.id))
            let category = attempt { () throws(ConfigurationIssue) -> CustomCategory in
                let mapping = try element.mapping(
                    allowed: ["id", "description", "examples", "counter_examples", "threshold", "decision", "directions", "neighbors"],
                    required: ["id", "description", "examples", "counter_examples"]
                )
                let idNode = try mapping.required("id")
                let id = try idNode.string()
                if let problem = Self.customIDProblem(id) {
                    throw idNode.issue(problem)
                }
                if taxonomy.resolveAll(id) != nil { throw idNode.issue("'\(id)' is already a category or group of taxonomy '\(taxonomy.id)'") }
                if existing.contains(id) { throw idNode.issue("duplicate custom category ID '\(id)'") }
                let examples = try Self.texts(mapping.required("examples"), minimum: 2)
                let counterExamples = try Self.texts(mapping.required("counter_examples"), minimum: 2)
                var directions: Set<Direction> = [.input, .output]
                if let node = mapping["directions"] {
                    directions = []
                    for name in try node.strings() {
                        guard let direction = Direction(rawValue: name) else { throw node.issue("'\(name)' is not one of input, output") }
                        directions.insert(direction)
                    }
                }
                return CustomCategory(
                    id: id, description: try mapping.required("description").string(),
                    examples: examples, counterExamples: counterExamples,
                    threshold: try mapping["threshold"].map { node throws(ConfigurationIssue) in try Self.threshold(node) } ?? 0.5,
                    decision: try mapping["decision"].map { node throws(ConfigurationIssue) in try Self.decision(node) } ?? .block,
                    directions: directions,
                    neighbors: try mapping["neighbors"].map { node throws(ConfigurationIssue) in try Self.positive(node) }
                        ?? CustomCategory.defaultNeighbors
                )
            }
            if let category { categories.append(category) }
        }
        return categories
    }

    static func customIDProblem(_ id: String) -> String? {
        let valid = id.first.map { $0.isASCII && $0.isLowercase } == true
            && id.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
        if id == HazardTaxonomy.unsafeName { return "'unsafe' is reserved for the overall judgement" }
        return valid ? nil : "'\(id)' is not a snake_case ID (lowercase letters, digits and '_', starting with a letter)"
    }

    /// A list of non-empty texts with at least `minimum` entries; calibration leaves one out, so
    /// fewer than two examples leave nothing to calibrate on.
    static func texts(_ node: ConfigNode, minimum: Int) throws(ConfigurationIssue) -> [String] {
        var texts: [String] = []
        for element in try node.sequence() { texts.append(try element.string()) }
        guard texts.count >= minimum else { throw node.issue("needs at least \(minimum) texts, found \(texts.count)") }
        return texts
    }
}
