import Foundation
import WardenCore
import WardenTaxonomy

/// Reads `Policies/*.yaml` files against a taxonomy. See `Policies/README.md` for the format.
public enum PolicyLoader {
    /// Loads and validates a policy file.
    /// - Throws: ``PolicyError`` naming the file and key path of every problem.
    public static func load(from url: URL, taxonomy: HazardTaxonomy) throws(PolicyError) -> Policy {
        let file = url.relativePath
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: file, reason: error.localizedDescription)
        }
        return try load(data: data, file: file, taxonomy: taxonomy)
    }

    /// Loads and validates a policy from the bytes of a file; `file` is used in messages.
    public static func load(data: Data, file: String, taxonomy: HazardTaxonomy) throws(PolicyError) -> Policy {
        throw .invalid(ConfigurationIssues([ConfigurationIssue(file: file, keyPath: "", message: "not implemented yet")]))
    }
}
