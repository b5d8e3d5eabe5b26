import Foundation
import Synchronization
import Testing
import WardenCore
@testable import WardenPolicy

@Suite("Policy store hot reload")
struct PolicyStoreTests {
    static func policy(id: String = "main", threshold: Double) -> String {
        "id: \(id)\ntaxonomy: mlcommons-v1\ndefaults: { threshold: \(threshold), decision: block }\n"
    }

    /// Collects what the store logs.
    final class LogSink: Sendable {
        let reports = Mutex<[PolicyReloadReport]>([])
        var log: @Sendable (PolicyReloadReport) -> Void { { report in self.reports.withLock { $0.append(report) } } }
        var count: Int { reports.withLock { $0.count } }
    }

    @Test("load, change, break, keep the old policy, fix, delete")
    func lifecycle() throws {
        // Given a directory with one valid policy
        let directory = try TemporaryDirectory()
        try directory.write("main.yaml", Self.policy(threshold: 0.5))
        try directory.write("notes.txt", "not a policy")
        let sink = LogSink()
        let store = PolicyStore(directory: directory.url, taxonomy: shippedTaxonomy, log: sink.log)

        // When it loads, the policy is available by ID
        var report = store.reload()
        #expect(report.loaded == ["main"] && report.errors.isEmpty)
        #expect(store.ids == ["main"])
        #expect(store.engine(id: "main")?.policy.defaults.threshold == 0.5)
        #expect(sink.count == 1)

        // An unchanged directory reloads to an empty report and logs nothing
        #expect(store.reload().isEmpty)
        #expect(sink.count == 1)

        // A changed file is swapped in
        try directory.write("main.yaml", Self.policy(threshold: 0.7))
        report = store.reload()
        #expect(report.loaded == ["main"])
        #expect(store.policy(id: "main")?.defaults.threshold == 0.7)

        // A broken file keeps the previous version in force and reports the error
        try directory.write("main.yaml", Self.policy(threshold: 1.7))
        report = store.reload()
        #expect(report.loaded.isEmpty)
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.description.contains("defaults.threshold: 1.7 is outside [0, 1]") == true)
        #expect(store.policy(id: "main")?.defaults.threshold == 0.7)
        #expect(store.errors.count == 1)
        #expect(sink.reports.withLock { $0.last?.description.contains("previous version stays in force") } == true)

        // Fixing the file clears the error
        try directory.write("main.yaml", Self.policy(threshold: 0.6))
        report = store.reload()
        #expect(report.loaded == ["main"] && store.errors.isEmpty)
        #expect(store.policy(id: "main")?.defaults.threshold == 0.6)

        // Deleting the file removes the policy
        try directory.remove("main.yaml")
        report = store.reload()
        #expect(report.removed == ["main"])
        #expect(store.engine(id: "main") == nil)
        #expect(throws: PolicyError.self) { try store.requireEngine(id: "main") }
    }

    @Test("a second file declaring the same ID is rejected and the first stays")
    func duplicateIDs() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.yaml", Self.policy(id: "same", threshold: 0.4))
        try directory.write("b.yml", Self.policy(id: "same", threshold: 0.9))
        let store = PolicyStore(directory: directory.url, taxonomy: shippedTaxonomy, log: { _ in })
        let report = store.reload()
        #expect(report.loaded == ["same"])
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.description.contains("declared by several files") == true)
        #expect(store.policy(id: "same")?.defaults.threshold == 0.4)
    }

    @Test("a file that changes its ID replaces its old policy")
    func renamedID() throws {
        let directory = try TemporaryDirectory()
        try directory.write("p.yaml", Self.policy(id: "old", threshold: 0.5))
        let store = PolicyStore(directory: directory.url, taxonomy: shippedTaxonomy, log: { _ in })
        store.reload()
        try directory.write("p.yaml", Self.policy(id: "new", threshold: 0.5))
        let report = store.reload()
        #expect(report.removed == ["old"] && report.loaded == ["new"])
        #expect(store.ids == ["new"])
    }

    @Test("a required policy survives its file's deletion and a change of its id, with an error naming it")
    func requiredPolicy() throws {
        let directory = try TemporaryDirectory()
        try directory.write("main.yaml", Self.policy(id: "main", threshold: 0.5))
        try directory.write("other.yaml", Self.policy(id: "other", threshold: 0.5))
        let store = PolicyStore(directory: directory.url, taxonomy: shippedTaxonomy, requiredIDs: ["main"], log: { _ in })
        store.reload()

        try directory.write("main.yaml", Self.policy(id: "renamed", threshold: 0.5))
        var report = store.reload()
        #expect(report.loaded == ["renamed"] && report.removed.isEmpty)
        #expect(report.errors.count == 1)
        if case .requiredPolicyRemoved(let id, let file)? = report.errors.first {
            #expect(id == "main" && file.hasSuffix("main.yaml"))
        } else {
            Issue.record("expected requiredPolicyRemoved, got \(report.errors)")
        }
        #expect(store.engine(id: "main") != nil, "the default policy must stay in force")

        try directory.remove("main.yaml")
        try directory.remove("other.yaml")
        report = store.reload()
        #expect(report.removed.contains("other"))
        #expect(store.engine(id: "main") != nil)
        #expect(store.engine(id: "other") == nil, "a policy nobody requires is removed as before")

        try directory.write("main.yaml", Self.policy(id: "main", threshold: 0.7))
        store.reload()
        #expect(store.policy(id: "main")?.defaults.threshold == 0.7, "the file provides it again and the new version loads")
    }

    @Test("a missing directory is reported, not fatal")
    func missingDirectory() {
        let store = PolicyStore(directory: URL(fileURLWithPath: "/nonexistent/policies"), taxonomy: shippedTaxonomy, log: { _ in })
        #expect(store.reload().errors.count == 1)
        #expect(store.ids.isEmpty)
    }

    @Test("run loads the directory and ends when cancelled")
    func runUntilCancelled() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("main.yaml", Self.policy(threshold: 0.5))
        let store = PolicyStore(directory: directory.url, taxonomy: shippedTaxonomy, log: { _ in })
        let task = Task { await store.run(every: .seconds(3600)) }
        // The first reload happens before the first sleep; wait for it without a deadline assertion.
        while store.ids.isEmpty { await Task.yield() }
        task.cancel()
        await task.value
        #expect(store.ids == ["main"])
    }
}
