import Foundation
import WardenTaxonomy
import WardenConfig

/// Why a policy could not be loaded or found. Descriptions name the file and key to fix.
public enum PolicyError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file was read but is not a valid policy; every problem found is listed.
    case invalid(ConfigurationIssues)
    /// A deny or allow list regex that does not compile.
    case invalidRegex(String, reason: String)
    /// Two files of a policy directory declare the same policy ID.
    case duplicateID(String, files: [String])
    /// No policy with this ID is loaded.
    case unknownPolicy(String, known: [String])
    /// A reload would remove a policy the service needs (the default policy, or a client key's); it stays in force.
    case requiredPolicyRemoved(String, file: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the policy: \(reason)"
        case .invalid(let issues): issues.description
        case .invalidRegex(let pattern, let reason): "invalid regular expression '\(pattern)': \(reason)"
        case .duplicateID(let id, let files): "policy ID '\(id)' is declared by several files: \(files.joined(separator: ", "))"
        case .unknownPolicy(let id, let known):
            "no policy '\(id)' is loaded (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case .requiredPolicyRemoved(let id, let file):
            "\(file) no longer provides policy '\(id)' (deleted, or its id changed), but the service needs it (it is the "
                + "default policy or a client key's); its last version stays in force until the file provides it again"
        }
    }

    public var errorDescription: String? { description }

    /// The individual problems, one per line of ``description``.
    public var issues: [String] {
        if case .invalid(let issues) = self { return issues.issues.map(\.description) }
        return [description]
    }
}
