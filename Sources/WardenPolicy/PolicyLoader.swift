import Foundation
import WardenCore
import WardenTaxonomy
import WardenConfig

/// Reads `Policies/*.yaml` files against a taxonomy. See `Policies/README.md` for the format.
///
/// Validation happens here, once, so the engine never meets a bad policy: unknown keys (with a
/// "did you mean"), unknown categories or groups, thresholds outside [0, 1], unreachable rules,
/// invalid regular expressions, and a taxonomy ID that differs from the taxonomy in use. Every
/// problem names the file and key path; all problems of a file are reported together.
public enum PolicyLoader {
    /// Loads and validates a policy file.
    /// - Throws: ``PolicyError`` naming the file and key path of every problem.
    public static func load(from url: URL, taxonomy: HazardTaxonomy) throws(PolicyError) -> Policy {
        let file = url.relativePath
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: file, reason: ConfigFileProblem.describe(url, error))
        }
        return try load(data: data, file: file, taxonomy: taxonomy)
    }

    /// Loads and validates a policy from the bytes of a file; `file` is used in messages.
    public static func load(data: Data, file: String, taxonomy: HazardTaxonomy) throws(PolicyError) -> Policy {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: file, reason: "the file is not UTF-8 text")
        }
        var reader = PolicyReader(taxonomy: taxonomy)
        let policy: Policy
        do {
            policy = try reader.read(ConfigNode.parse(text, file: file))
        } catch {
            throw .invalid(ConfigurationIssues(reader.issues + [error]))
        }
        guard reader.issues.isEmpty else { throw .invalid(ConfigurationIssues(reader.issues)) }
        var result = policy
        result.contentHash = ContentHash.sha256Hex(data)
        result.source = file
        return result
    }

    /// The root keys of a policy file.
    static let rootKeys = [
        "id", "taxonomy", "description", "defaults", "input", "output", "on_error", "audit", "limits",
        "deny_list", "allow_list", "custom_categories",
    ]
}
