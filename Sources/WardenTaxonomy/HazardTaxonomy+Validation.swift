import WardenCore
import WardenConfig

extension HazardTaxonomy {
    /// A consistency problem, located by key path (`categories[3].aliases.llama_guard`).
    public struct Problem: Sendable, Hashable {
        public var keyPath: String
        public var message: String
    }

    /// Every consistency problem of a set of groups and categories; empty when they form a valid taxonomy.
    ///
    /// Checked: snake_case IDs, unique category and group IDs (and no clash between the two, since
    /// policies name both in the same `category:` key), known groups, well-formed and unique Llama
    /// Guard codes, known and unique OpenAI names, and model labels that are unique per category and
    /// avoid the reserved `unsafe` label and `custom:` prefix.
    public static func problems(groups: [HazardGroup], categories: [HazardCategory]) -> [Problem] {
        var problems: [Problem] = []
        func report(_ keyPath: String, _ message: String) { problems.append(Problem(keyPath: keyPath, message: message)) }

        var groupIDs: [String: Int] = [:]
        for (index, group) in groups.enumerated() {
            let path = "groups[\(index)]"
            if let message = identifierProblem(group.id) { report("\(path).id", message) }
            if let first = groupIDs[group.id] {
                report("\(path).id", "duplicate group ID '\(group.id)' (first defined at groups[\(first)])")
            } else {
                groupIDs[group.id] = index
            }
        }

        var categoryIDs: [HazardID: Int] = [:]
        var codes: [String: Int] = [:]
        var openAINames: [String: Int] = [:]
        for (index, category) in categories.enumerated() {
            let path = "categories[\(index)]"
            if let message = identifierProblem(category.id.rawValue) { report("\(path).id", message) }
            if let first = categoryIDs[category.id] {
                report("\(path).id", "duplicate category ID '\(category.id)' (first defined at categories[\(first)])")
            } else {
                categoryIDs[category.id] = index
            }
            if groupIDs[category.id.rawValue] != nil {
                report("\(path).id", "'\(category.id)' is also a group ID; policies could not tell them apart")
            }
            if category.name.trimmingWhitespace().isEmpty { report("\(path).name", "must not be empty") }
            if groupIDs[category.group] == nil {
                let hint = ConfigurationIssue.closest(to: category.group, in: groupIDs.keys).map { " (did you mean '\($0)'?)" } ?? ""
                report("\(path).group", "unknown group '\(category.group)'\(hint)")
            }
            if let code = category.llamaGuardCode {
                if !isLlamaGuardCode(code) {
                    report("\(path).aliases.llama_guard", "'\(code)' is not a Llama Guard code like S1")
                } else if let first = codes[code.uppercased()] {
                    report("\(path).aliases.llama_guard", "duplicate alias '\(code)' (also used by categories[\(first)])")
                } else {
                    codes[code.uppercased()] = index
                }
            }
            for name in category.openAINames {
                if !OpenAIModerationCategory.all.contains(name) {
                    let hint = ConfigurationIssue.closest(to: name, in: OpenAIModerationCategory.all).map { " (did you mean '\($0)'?)" } ?? ""
                    report("\(path).aliases.openai", "unknown OpenAI moderation category '\(name)'\(hint)")
                } else if let first = openAINames[name] {
                    let owner = first == index ? "listed twice" : "also used by categories[\(first)]"
                    report("\(path).aliases.openai", "duplicate alias '\(name)' (\(owner)); each OpenAI name maps to one hazard")
                } else {
                    openAINames[name] = index
                }
            }
            if category.modelLabels.isEmpty { report("\(path).model_labels", "must name at least one model label") }
            if Set(category.modelLabels).count != category.modelLabels.count {
                report("\(path).model_labels", "lists a label twice")
            }
            for label in category.modelLabels where label == unsafeName || label.hasPrefix("custom:") || label.isEmpty {
                report("\(path).model_labels", "'\(label)' is reserved (the overall 'unsafe' label and 'custom:' labels belong to the policy)")
            }
        }
        return problems
    }

    static func identifierProblem(_ id: String) -> String? {
        if id == unsafeName { return "'unsafe' is reserved for the overall judgement" }
        let valid = id.first.map { $0.isASCII && $0.isLowercase } == true
            && id.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
        return valid ? nil : "'\(id)' is not a snake_case ID (lowercase letters, digits and '_', starting with a letter)"
    }

    static func isLlamaGuardCode(_ code: String) -> Bool {
        guard code.count >= 2, code.first == "S" || code.first == "s", let number = Int(code.dropFirst()) else { return false }
        return number >= 1 && !code.dropFirst().hasPrefix("0")
    }
}
