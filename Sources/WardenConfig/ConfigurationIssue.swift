/// One problem in a configuration file, located by file and key path.
///
/// Printed as `Policies/default.yaml: input[2].threshold: 1.5 is outside [0, 1] (line 12)`, so a
/// user can go straight to the spot that needs fixing.
public struct ConfigurationIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the caller named it (relative paths stay relative).
    public var file: String
    /// Dotted key path with sequence indices, such as `input[2].threshold`; empty for the whole file.
    public var keyPath: String
    public var message: String
    /// 1-based line in the file, when known.
    public var line: Int?

    public init(file: String, keyPath: String, message: String, line: Int? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
        self.line = line
    }

    public var description: String {
        let location = keyPath.isEmpty ? file : "\(file): \(keyPath)"
        let suffix = line.map { " (line \($0))" } ?? ""
        return "\(location): \(message)\(suffix)"
    }
}

/// Several configuration issues reported at once, so a user can fix a file in one pass.
public struct ConfigurationIssues: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [ConfigurationIssue]

    public init(_ issues: [ConfigurationIssue]) { self.issues = issues }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

// MARK: - Suggestions

extension ConfigurationIssue {
    /// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
    package static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let tolerance = max(2, word.count / 3)
        return best.1 <= tolerance ? best.0 : nil
    }

    /// Levenshtein distance; key names are short, so the quadratic table is fine.
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
