import Foundation
import WardenConfig

/// Why a taxonomy could not be loaded. The description tells the user what to fix, naming the file and key.
public enum TaxonomyError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file was read but is not a valid taxonomy; every problem found is listed.
    case invalid(ConfigurationIssues)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): "\(file): cannot read the taxonomy: \(reason)"
        case .invalid(let issues): issues.description
        }
    }

    public var errorDescription: String? { description }

    /// The individual problems (one for an unreadable file).
    public var issues: [ConfigurationIssue] {
        switch self {
        case .unreadable(let file, let reason): [ConfigurationIssue(file: file, keyPath: "", message: "cannot read: \(reason)")]
        case .invalid(let issues): issues.issues
        }
    }
}
