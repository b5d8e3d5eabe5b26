import Foundation
import Synchronization
import WardenCore
import WardenTaxonomy
import WardenConfig

/// The policies of a directory by ID, hot-reloaded by polling.
///
/// Each reload reads every `*.yaml` / `*.yml` file directly in the directory (subfolders such as
/// `examples/` are ignored). A file whose bytes changed is loaded and, if valid, its policy is
/// swapped in atomically: a reader sees either the old or the new engine, never a mix. A file
/// that fails to load leaves the previous version of its policy in force; the error is returned
/// from ``reload()``, kept in ``errors`` until the file is fixed, and logged once per change.
/// A deleted file's policy is removed.
public final class PolicyStore: Sendable {
    public let directory: URL
    public let taxonomy: HazardTaxonomy
    /// The served model's operating thresholds, for `threshold: model` rules.
    public let modelThresholds: [String: Double]
    /// Policies a reload may replace but never remove (the service's default and its client keys' defaults): startup
    /// refuses to serve without them, so hot reload must not reach that state either.
    public let requiredIDs: Set<String>
    private let log: @Sendable (PolicyReloadReport) -> Void
    private let state = Mutex(State())
    /// Serialises reloads (the polling loop and manual calls) without blocking readers.
    private let reloading = Mutex(())

    private struct State: Sendable {
        var engines: [String: PolicyEngine] = [:]
        var files: [String: FileState] = [:]
    }

    private struct FileState: Sendable {
        var data: Data
        /// The policy ID the file currently provides (its last valid version), if any.
        var policyID: String?
        var error: PolicyError?
    }

    /// - Parameters:
    ///   - log: receives every reload report that changed something or found an error; by default
    ///     it is written to standard error. Pass a closure that forwards to your logger.
    public init(
        directory: URL, taxonomy: HazardTaxonomy, modelThresholds: [String: Double] = [:], requiredIDs: Set<String> = [],
        log: @escaping @Sendable (PolicyReloadReport) -> Void = PolicyStore.logToStandardError
    ) {
        self.directory = directory
        self.taxonomy = taxonomy
        self.modelThresholds = modelThresholds
        self.requiredIDs = requiredIDs
        self.log = log
    }

    // MARK: - Reading

    public func policy(id: String) -> Policy? { state.withLock { $0.engines[id]?.policy } }

    public func engine(id: String) -> PolicyEngine? { state.withLock { $0.engines[id] } }

    /// The engine for `id`, or an error listing the IDs that are loaded.
    public func requireEngine(id: String) throws(PolicyError) -> PolicyEngine {
        let (engine, known) = state.withLock { ($0.engines[id], $0.engines.keys.sorted()) }
        guard let engine else { throw .unknownPolicy(id, known: known) }
        return engine
    }

    /// IDs of the loaded policies, sorted.
    public var ids: [String] { state.withLock { $0.engines.keys.sorted() } }

    /// `audit.retention_days` of each loaded policy that sets it, by policy ID.
    public var retentionDays: [String: Int] {
        state.withLock { state in state.engines.compactMapValues { $0.policy.audit.retentionDays } }
    }

    /// Errors of files that currently fail to load (their previous version, if any, stays in force).
    public var errors: [PolicyError] {
        state.withLock { state in state.files.keys.sorted().compactMap { state.files[$0]?.error } }
    }

    // MARK: - Reloading

    /// Re-reads the directory and swaps in changed policies.
    /// - Returns: what changed and the errors found in changed files (also passed to the log).
    @discardableResult
    public func reload() -> PolicyReloadReport {
        reloading.withLock { _ in
            let report = reloadLocked()
            if !report.isEmpty { log(report) }
            return report
        }
    }

    /// Reloads every `interval` until the task is cancelled.
    public func run(every interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            reload()
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    private func reloadLocked() -> PolicyReloadReport {
        var report = PolicyReloadReport()
        var next = state.withLock { $0 }
        let listed: [URL]
        do {
            listed = try policyFiles()
        } catch {
            report.errors.append(.unreadable(file: directory.relativePath, reason: ConfigFileProblem.systemReason(error) ?? error.localizedDescription))
            return report
        }

        let present = Set(listed.map(\.relativePath))
        for (file, fileState) in next.files where !present.contains(file) {
            if let id = fileState.policyID, next.engines[id]?.policy.source == file {
                if requiredIDs.contains(id) {
                    report.errors.append(.requiredPolicyRemoved(id, file: file))
                } else {
                    next.engines[id] = nil
                    report.removed.append(id)
                }
            }
            next.files[file] = nil
        }

        for url in listed {
            let file = url.relativePath
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                // A file caught mid-write or briefly unreadable keeps its previous policy.
                report.errors.append(.unreadable(file: file, reason: ConfigFileProblem.systemReason(error) ?? "could not be read"))
                continue
            }
            if let previous = next.files[file], previous.data == data { continue }
            var fileState = FileState(data: data, policyID: next.files[file]?.policyID, error: nil)
            do {
                let policy = try PolicyLoader.load(data: data, file: file, taxonomy: taxonomy)
                if let owner = next.engines[policy.id]?.policy.source, owner != file, present.contains(owner) {
                    throw PolicyError.duplicateID(policy.id, files: [owner, file].sorted())
                }
                if let oldID = fileState.policyID, oldID != policy.id, next.engines[oldID]?.policy.source == file {
                    if requiredIDs.contains(oldID) {
                        report.errors.append(.requiredPolicyRemoved(oldID, file: file))
                    } else {
                        next.engines[oldID] = nil
                        report.removed.append(oldID)
                    }
                }
                next.engines[policy.id] = PolicyEngine(policy: policy, taxonomy: taxonomy, modelThresholds: modelThresholds)
                fileState.policyID = policy.id
                report.loaded.append(policy.id)
            } catch let error as PolicyError {
                fileState.error = error
                report.errors.append(error)
            } catch {
                fileState.error = .unreadable(file: file, reason: "\(error)")
                report.errors.append(fileState.error!)
            }
            next.files[file] = fileState
        }
        let final = next
        state.withLock { $0 = final }
        return report
    }

    private func policyFiles() throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.sorted()
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .map { directory.appendingPathComponent($0) }
            .filter { url in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
    }

    /// The default log: one line per loaded, removed or failing policy, on standard error.
    public static let logToStandardError: @Sendable (PolicyReloadReport) -> Void = { report in
        FileHandle.standardError.write(Data((report.description + "\n").utf8))
    }
}

/// What one reload changed.
public struct PolicyReloadReport: Sendable, CustomStringConvertible {
    /// IDs of policies loaded or replaced.
    public var loaded: [String] = []
    /// IDs of policies removed because their file was deleted or now declares another ID.
    public var removed: [String] = []
    /// Problems in changed files; the previous version of each affected policy stays in force.
    public var errors: [PolicyError] = []

    public var isEmpty: Bool { loaded.isEmpty && removed.isEmpty && errors.isEmpty }

    public var description: String {
        var lines: [String] = []
        if !loaded.isEmpty { lines.append("policies loaded: \(loaded.joined(separator: ", "))") }
        if !removed.isEmpty { lines.append("policies removed: \(removed.joined(separator: ", "))") }
        for error in errors { lines.append("policy not reloaded (previous version stays in force): \(error)") }
        return lines.joined(separator: "\n")
    }
}
