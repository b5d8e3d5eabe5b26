import Foundation
import WardenCore
import WardenConfig

/// Reads `Taxonomy/*.yaml` files.
///
/// Format (every key shown is checked; unknown keys are errors with a "did you mean" hint):
/// ```yaml
/// id: mlcommons-v1
/// version: 1                      # optional
/// description: ...                # optional
/// groups:
///   - { id: physical, name: Physical hazards, description: ... }
/// categories:
///   - id: violent_crimes           # stable snake_case ID
///     name: Violent Crimes
///     group: physical
///     aliases: { llama_guard: S1, openai: [violence, violence/graphic] }   # optional
///     model_labels: [violent_crimes]
///     description: ...
/// ```
public enum TaxonomyLoader {
    /// Loads and validates a taxonomy file.
    /// - Throws: ``TaxonomyError`` naming the file and key of every problem.
    public static func load(from url: URL) throws(TaxonomyError) -> HazardTaxonomy {
        let file = url.relativePath
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(file: file, reason: ConfigFileProblem.describe(url, error) + "; pass --taxonomy FILE or set WARDEN_TAXONOMY")
        }
        return try load(text: text, file: file)
    }

    /// Loads and validates a taxonomy from YAML text; `file` is used in error messages.
    public static func load(text: String, file: String) throws(TaxonomyError) -> HazardTaxonomy {
        var issues: [ConfigurationIssue] = []
        var lines: [String: Int] = [:]
        do {
            let root = try ConfigNode.parse(text, file: file)
            let mapping = try root.mapping(
                allowed: ["id", "version", "description", "groups", "categories"],
                required: ["id", "groups", "categories"]
            )
            let id = try mapping.required("id").string()
            let version = try mapping["version"]?.int()
            _ = try mapping["description"]?.string()

            var groups: [HazardGroup] = []
            for node in try mapping.required("groups").sequence() {
                record(node, in: &lines)
                do { groups.append(try readGroup(node, lines: &lines)) } catch { issues.append(error) }
            }
            var categories: [HazardCategory] = []
            let categoryNodes = try mapping.required("categories").sequence()
            if categoryNodes.isEmpty { issues.append(mapping.owner.child("categories", mapping.owner.node).issue("must list at least one category")) }
            for node in categoryNodes {
                record(node, in: &lines)
                do { categories.append(try readCategory(node, lines: &lines)) } catch { issues.append(error) }
            }
            guard issues.isEmpty else { throw TaxonomyError.invalid(ConfigurationIssues(issues)) }

            let problems = HazardTaxonomy.problems(groups: groups, categories: categories)
            guard problems.isEmpty else {
                throw TaxonomyError.invalid(ConfigurationIssues(problems.map { problem in
                    ConfigurationIssue(file: file, keyPath: problem.keyPath, message: problem.message, line: line(of: problem.keyPath, in: lines))
                }))
            }
            return HazardTaxonomy(validatedID: id, version: version, groups: groups, categories: categories)
        } catch let error as TaxonomyError {
            throw error
        } catch let issue as ConfigurationIssue {
            throw .invalid(ConfigurationIssues(issues + [issue]))
        } catch {
            throw .invalid(ConfigurationIssues([ConfigurationIssue(file: file, keyPath: "", message: "\(error)")]))
        }
    }

    // MARK: - Entries

    private static func readGroup(_ node: ConfigNode, lines: inout [String: Int]) throws(ConfigurationIssue) -> HazardGroup {
        let mapping = try node.mapping(allowed: ["id", "name", "description"], required: ["id", "name"])
        remember(mapping, in: &lines)
        return HazardGroup(
            id: try mapping.required("id").string(),
            name: try mapping.required("name").string(),
            description: try mapping["description"]?.string()
        )
    }

    private static func readCategory(_ node: ConfigNode, lines: inout [String: Int]) throws(ConfigurationIssue) -> HazardCategory {
        let mapping = try node.mapping(
            allowed: ["id", "name", "description", "group", "aliases", "model_labels"],
            required: ["id", "name", "description", "group", "model_labels"]
        )
        remember(mapping, in: &lines)
        var code: String?
        var openAI: [String] = []
        if let aliasesNode = mapping["aliases"] {
            let aliases = try aliasesNode.mapping(allowed: ["llama_guard", "openai"])
            remember(aliases, in: &lines)
            code = try aliases["llama_guard"]?.string()
            openAI = try aliases["openai"]?.strings() ?? []
        }
        let labels = try mapping.required("model_labels").strings()
        return HazardCategory(
            id: HazardID(try mapping.required("id").string()),
            name: try mapping.required("name").string(),
            description: try mapping.required("description").string(),
            llamaGuardCode: code,
            openAINames: openAI,
            modelLabels: labels,
            group: try mapping.required("group").string()
        )
    }

    // MARK: - Line bookkeeping for semantic errors

    private static func record(_ node: ConfigNode, in lines: inout [String: Int]) {
        if let line = node.line { lines[node.keyPath] = line }
    }

    private static func remember(_ mapping: ConfigMapping, in lines: inout [String: Int]) {
        for (_, value) in mapping.entries { record(value, in: &lines) }
    }

    /// The line of a key path, or of its closest recorded ancestor.
    private static func line(of keyPath: String, in lines: [String: Int]) -> Int? {
        var path = Substring(keyPath)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return nil
    }
}
