import Foundation
import Synchronization
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit concurrency")
struct AuditConcurrencyTests {
    @Test("8 writers x 10,000 events with concurrent readers lose no event", arguments: AuditBackend.allCases)
    func concurrentWritersAndReaders(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let writerCount = 8
        let perWriter = 10_000
        // Each writer has its own connection pool, as separate server processes would; with SQLite they contend
        // for the write lock and wait on the busy timeout, with PostgreSQL they insert side by side.
        var writers: [AuditWriter] = []
        for _ in 0..<writerCount {
            writers.append(AuditWriter(
                store: try await database.openAnother(),
                configuration: AuditWriterConfiguration(failureMode: .failClosed, capacity: perWriter)))
        }
        let reader = database.store
        let loops = writers.map { writer in Task { await writer.run() } }
        let done = ManagedFlag()
        let templates = (0..<64).map { SyntheticAuditEvent.make(index: $0) }

        let readerTask = Task {
            var reads = 0
            var lastCount = 0
            while !done.isSet {
                let count = try await reader.count()
                #expect(count >= lastCount, "the event count went backwards")
                lastCount = count
                _ = try await reader.events(matching: AuditQuery(decision: .block, limit: 20))
                _ = try await reader.search("lighthouse", matching: AuditQuery(limit: 5))
                reads += 1
                // Readers poll like a dashboard would; back-to-back queries would just starve 2 cores.
                try await Task.sleep(for: .milliseconds(20))
            }
            return reads
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (writerIndex, writer) in writers.enumerated() {
                group.addTask {
                    let start = writerIndex * perWriter
                    for index in start..<(start + perWriter) {
                        // A template with the index's id: building each event from scratch costs more
                        // than writing it in a debug build.
                        var event = templates[index % templates.count]
                        event.id = SyntheticAuditEvent.id(index)
                        try await writer.record(event)
                    }
                }
            }
            try await group.waitForAll()
        }
        for writer in writers { try await writer.shutdown() }
        for loop in loops { await loop.value }
        done.set()
        let reads = try await readerTask.value

        #expect(reads > 0)
        #expect(writers.map(\.droppedCount) == Array(repeating: 0, count: writerCount))
        #expect(writers.map(\.metrics.written) == Array(repeating: perWriter, count: writerCount))
        #expect(try await reader.count() == writerCount * perWriter)
        let ids = try await database.allEventIDs()
        let indices = Set(ids.compactMap(SyntheticAuditEvent.index(of:)))
        #expect(indices == Set(0..<(writerCount * perWriter)))
        #expect(try await reader.consistencyProblems() == [])
    }
}

/// A one-way flag shared between tasks.
final class ManagedFlag: Sendable {
    private let storage = Mutex(false)
    var isSet: Bool { storage.withLock { $0 } }
    func set() { storage.withLock { $0 = true } }
}
