import Foundation
import Yams

/// A YAML node with its location, read with errors that name the file and the key path.
///
/// Loaders walk the node tree by hand instead of using `Decodable` so that every error can say
/// exactly which key is wrong, unknown keys can be caught with a "did you mean" hint, and several
/// independent problems can be reported in one pass.
package struct ConfigNode {
    package let node: Node
    package let file: String
    package let keyPath: String

    package init(node: Node, file: String, keyPath: String = "") {
        self.node = node
        self.file = file
        self.keyPath = keyPath
    }

    /// Parses the first YAML document of `text`.
    package static func parse(_ text: String, file: String) throws(ConfigurationIssue) -> ConfigNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigurationIssue(file: file, keyPath: "", message: "the file is empty")
            }
            return ConfigNode(node: node, file: file)
        } catch let issue as ConfigurationIssue {
            throw issue
        } catch {
            throw ConfigurationIssue(file: file, keyPath: "", message: "is not valid YAML: \(error)")
        }
    }

    package var line: Int? { node.mark.map(\.line) }

    package func issue(_ message: String) -> ConfigurationIssue {
        ConfigurationIssue(file: file, keyPath: keyPath, message: message, line: line)
    }

    package func child(_ key: String, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, file: file, keyPath: keyPath.isEmpty ? key : "\(keyPath).\(key)")
    }

    package func element(_ index: Int, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, file: file, keyPath: "\(keyPath)[\(index)]")
    }

    // MARK: - Shapes

    /// The node as a mapping whose keys must all be in `allowed`; the required ones must be present.
    package func mapping(allowed: [String], required: [String] = []) throws(ConfigurationIssue) -> ConfigMapping {
        var firstUnknown: ConfigurationIssue?
        let result: ConfigMapping
        do {
            result = try mapping(allowed: allowed, required: required) { issue in firstUnknown = firstUnknown ?? issue }
        } catch {
            // A misspelt key explains a "missing" required one, so it is the problem to name.
            throw firstUnknown ?? error
        }
        if let firstUnknown { throw firstUnknown }
        return result
    }

    /// Like ``mapping(allowed:required:)``, but each unknown key goes to `unknownKey` and is skipped, so a reader that
    /// collects problems can report them all in one run.
    package func mapping(
        allowed: [String], required: [String] = [], unknownKey: (ConfigurationIssue) -> Void
    ) throws(ConfigurationIssue) -> ConfigMapping {
        guard case .mapping(let mapping) = node else {
            throw issue("expected a mapping with keys \(allowed.joined(separator: ", "))")
        }
        var entries: [(String, ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else { throw issue("keys must be plain strings") }
            guard allowed.contains(key) else {
                let hint = ConfigurationIssue.closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                let keyLocation = child(key, keyNode)
                unknownKey(keyLocation.issue("unknown key\(hint); allowed keys: \(allowed.joined(separator: ", "))"))
                continue
            }
            entries.append((key, child(key, valueNode)))
        }
        let result = ConfigMapping(owner: self, entries: entries)
        for key in required where result[key] == nil {
            throw issue("missing required key '\(key)'")
        }
        return result
    }

    package func sequence() throws(ConfigurationIssue) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw issue("expected a list") }
        return sequence.enumerated().map { element($0.offset, $0.element) }
    }

    // MARK: - Scalars

    package func string() throws(ConfigurationIssue) -> String {
        guard case .scalar(let scalar) = node else { throw issue("expected a string") }
        let value = scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw issue("must not be empty") }
        return value
    }

    package func double() throws(ConfigurationIssue) -> Double {
        guard case .scalar = node, let value = node.float, value.isFinite else {
            throw issue("expected a number, found '\(node.scalar?.string ?? "a non-scalar")'")
        }
        return value
    }

    package func int() throws(ConfigurationIssue) -> Int {
        guard case .scalar = node, let value = node.int else {
            throw issue("expected a whole number, found '\(node.scalar?.string ?? "a non-scalar")'")
        }
        return value
    }

    /// One string or a list of strings.
    package func strings() throws(ConfigurationIssue) -> [String] {
        if case .scalar = node { return [try string()] }
        var values: [String] = []
        for element in try sequence() { values.append(try element.string()) }
        return values
    }

    /// A string that must be one of `choices`.
    package func choice(_ choices: [String]) throws(ConfigurationIssue) -> String {
        let value = try string()
        guard choices.contains(value) else {
            throw issue("'\(value)' is not one of \(choices.joined(separator: ", "))")
        }
        return value
    }
}

/// The entries of a YAML mapping, in file order.
package struct ConfigMapping {
    package let owner: ConfigNode
    package let entries: [(String, ConfigNode)]

    package subscript(key: String) -> ConfigNode? {
        entries.first { $0.0 == key }?.1
    }

    /// The value of a key that `mapping(allowed:required:)` already checked is present.
    package func required(_ key: String) throws(ConfigurationIssue) -> ConfigNode {
        guard let value = self[key] else { throw owner.issue("missing required key '\(key)'") }
        return value
    }
}

/// Why a configuration file could not be read, in words that say what to fix (Foundation's own message for a
/// missing file is "The operation could not be completed").
package enum ConfigFileProblem {
    package static func describe(_ url: URL, _ error: any Error) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            return "no such file (looked for \(url.path))"
        }
        if isDirectory.boolValue { return "it is a directory, not a file" }
        if !FileManager.default.isReadableFile(atPath: url.path) { return "permission denied" }
        return systemReason(error) ?? error.localizedDescription
    }

    /// The operating system's reason under a Foundation error, which on Linux often reads only "The operation
    /// could not be completed"; running out of descriptors gets advice, since it is the process, not the file.
    package static func systemReason(_ error: any Error) -> String? {
        var current: NSError? = error as NSError
        while let nsError = current {
            if nsError.domain == NSPOSIXErrorDomain {
                let code = Int32(nsError.code)
                if code == EMFILE || code == ENFILE {
                    return "too many open files: the process has used its descriptor limit (`ulimit -n`); "
                        + "raise the limit or lower server.max_connections"
                }
                return String(cString: strerror(code))
            }
            current = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        return nil
    }
}
