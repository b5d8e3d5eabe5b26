import Foundation
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Batched audit writer")
struct AuditWriterTests {
    static func configuration(
        _ mode: AuditFailureMode, durability: AuditDurability = .batched, capacity: Int = 10_000, shutdownTimeout: Duration = .seconds(10)
    ) -> AuditWriterConfiguration {
        AuditWriterConfiguration(
            failureMode: mode, durability: durability, capacity: capacity, maximumBatchSize: 64, flushInterval: .milliseconds(20),
            initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50), shutdownTimeout: shutdownTimeout)
    }

    @Test("shutdown drains everything queued, whether or not run() was started", arguments: [false, true])
    func shutdownDrains(runInBackground: Bool) async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(store: try database.open(), configuration: Self.configuration(.failOpen))
        let loop = runInBackground ? Task { await writer.run() } : nil
        let events = (0..<1_000).map { SyntheticAuditEvent.make(index: $0) }

        for event in events { try await writer.record(event) }
        try await writer.shutdown()
        await loop?.value

        #expect(writer.queueDepth == 0)
        #expect(writer.metrics.written == 1_000)
        #expect(writer.droppedCount == 0)
        #expect(try await writer.store.count() == 1_000)
        let detail = try #require(try await writer.store.event(id: events[777].id))
        #expect(detail.event == events[777] || abs(detail.event.time.timeIntervalSince(events[777].time)) < 1e-5)
        await #expect(throws: AuditError.writerShutDown) { try await writer.record(SyntheticAuditEvent.make(index: 5_000)) }
    }

    @Test("fail-open: while the database is locked events stay queued and are retried, then all are written")
    func failOpenRetries() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(
            store: try database.open(busyTimeout: .milliseconds(50)), configuration: Self.configuration(.failOpen))
        let loop = Task { await writer.run() }
        let lock = try await WriteLockHolder.acquire(path: database.path)

        for index in 0..<20 { try await writer.record(SyntheticAuditEvent.make(index: index)) }
        #expect(try await eventually { writer.metrics.failedWrites >= 2 })

        let whileLocked = writer.metrics
        #expect(!whileLocked.isDatabaseAvailable)
        #expect(whileLocked.queueDepth == 20)
        #expect(whileLocked.written == 0)
        #expect(whileLocked.lastError?.contains(database.path) == true)
        #expect(try await writer.store.count() == 0)

        try await lock.unlock()
        #expect(try await eventually { writer.metrics.written == 20 })
        #expect(writer.metrics.isDatabaseAvailable)
        try await writer.shutdown()
        await loop.value
        #expect(try await writer.store.count() == 20)
        #expect(writer.droppedCount == 0)
    }

    @Test("fail-open: past the queue's bound new events are dropped, counted and reported to the caller")
    func failOpenCountsDrops() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(
            store: try database.open(busyTimeout: .milliseconds(50)),
            configuration: Self.configuration(.failOpen, capacity: 5))
        let lock = try await WriteLockHolder.acquire(path: database.path)

        for index in 0..<5 { try await writer.record(SyntheticAuditEvent.make(index: index)) }
        // The caller hears of the drop, so it does not hand out an audit ID for an event that was never kept.
        for index in 5..<8 {
            await #expect(throws: AuditError.eventDropped(capacity: 5)) { try await writer.record(SyntheticAuditEvent.make(index: index)) }
        }
        #expect(AuditError.eventDropped(capacity: 5).servesWithoutAuditID)

        #expect(writer.queueDepth == 5)
        #expect(writer.droppedCount == 3)
        try await lock.unlock()
        try await writer.shutdown()
        let stored = try await writer.store.events(matching: AuditQuery(limit: 100)).events
        #expect(Set(stored.compactMap { SyntheticAuditEvent.index(of: $0.id) }) == Set(0..<5))
        #expect(writer.metrics.dropped == 3)
    }

    @Test("fail-closed: record throws while writes fail, and accepts again once the database recovers")
    func failClosedThrows() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(
            store: try database.open(busyTimeout: .milliseconds(50)), configuration: Self.configuration(.failClosed))
        let loop = Task { await writer.run() }
        let lock = try await WriteLockHolder.acquire(path: database.path)

        try await writer.record(SyntheticAuditEvent.make(index: 1))
        #expect(try await eventually { !writer.metrics.isDatabaseAvailable })
        await #expect(throws: AuditError.self) { try await writer.record(SyntheticAuditEvent.make(index: 2)) }
        do {
            try await writer.record(SyntheticAuditEvent.make(index: 2))
        } catch let error as AuditError {
            guard case .databaseUnavailable(let path, _) = error else { throw error }
            #expect(path == database.path)
        }

        try await lock.unlock()
        #expect(try await eventually { writer.metrics.isDatabaseAvailable })
        try await writer.record(SyntheticAuditEvent.make(index: 3))
        try await writer.shutdown()
        await loop.value
        let stored = try await writer.store.events(matching: AuditQuery()).events
        #expect(Set(stored.compactMap { SyntheticAuditEvent.index(of: $0.id) }) == [1, 3])
    }

    @Test("fail-closed: a full queue refuses the event instead of dropping it")
    func failClosedQueueFull() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(store: try database.open(), configuration: Self.configuration(.failClosed, capacity: 2))

        try await writer.record(SyntheticAuditEvent.make(index: 0))
        try await writer.record(SyntheticAuditEvent.make(index: 1))
        await #expect(throws: AuditError.queueFull(capacity: 2)) { try await writer.record(SyntheticAuditEvent.make(index: 2)) }

        #expect(writer.droppedCount == 0)
        try await writer.shutdown()
        #expect(try await writer.store.count() == 2)
    }

    @Test("a shutdown that cannot drain says how many events were not written")
    func shutdownReportsUnwritten() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(
            store: try database.open(busyTimeout: .milliseconds(20)),
            configuration: Self.configuration(.failOpen, shutdownTimeout: .milliseconds(200)))
        let lock = try await WriteLockHolder.acquire(path: database.path)
        for index in 0..<3 { try await writer.record(SyntheticAuditEvent.make(index: index)) }

        do {
            try await writer.shutdown()
            Issue.record("shutdown succeeded with the database locked")
        } catch let error as AuditError {
            guard case .shutdownIncomplete(let path, let unwritten, _) = error else { throw error }
            #expect(path == database.path)
            #expect(unwritten == 3)
        }
        try await lock.unlock()
    }

    @Test("each policy's retention_days prunes that policy's events only")
    func retentionByPolicy() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let age40 = Date().addingTimeInterval(-40 * 86_400)
        let strictOld = makeEvent(time: age40, policyID: "strict")
        let defaultOld = makeEvent(time: age40, policyID: "default")
        let strictNew = makeEvent(policyID: "strict")
        let unlistedOld = makeEvent(time: age40, policyID: "gone")
        try await store.record(batch: [strictOld, defaultOld, strictNew, unlistedOld])
        let writer = AuditWriter(
            store: store, configuration: Self.configuration(.failOpen), retentionByPolicy: { ["strict": 30, "default": 90] })
        let loop = Task { await writer.run() }
        #expect(try await eventually { writer.metrics.pruned == 1 })
        try await writer.shutdown()
        await loop.value
        let remaining = Set(try await store.events(matching: AuditQuery()).events.map(\.id))
        #expect(remaining == [defaultOld.id, strictNew.id, unlistedOld.id])
    }

    @Test("retention set in days is applied by the writer loop")
    func retention() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let store = try database.open()
        let old = (0..<5).map { SyntheticAuditEvent.make(index: $0, time: Date().addingTimeInterval(-40 * 86_400)) }
        let recent = (5..<8).map { SyntheticAuditEvent.make(index: $0) }
        try await store.record(batch: old + recent)
        var configuration = Self.configuration(.failOpen)
        configuration.retentionDays = 30
        let writer = AuditWriter(store: store, configuration: configuration)
        let loop = Task { await writer.run() }

        #expect(try await eventually { writer.metrics.pruned == 5 })
        try await writer.shutdown()
        await loop.value
        let remaining = try await store.events(matching: AuditQuery()).events
        #expect(Set(remaining.compactMap { SyntheticAuditEvent.index(of: $0.id) }) == Set(5..<8))
    }

    @Test("cancelling run() drains the queue before returning")
    func cancellationDrains() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(store: try database.open(), configuration: Self.configuration(.failOpen))
        let loop = Task { await writer.run() }
        for index in 0..<300 { try await writer.record(SyntheticAuditEvent.make(index: index)) }

        loop.cancel()
        await loop.value

        #expect(writer.queueDepth == 0)
        #expect(try await writer.store.count() == 300)
    }

    @Test("commit durability: record returns only once the event is in the file")
    func commitDurability() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(store: try database.open(), configuration: Self.configuration(.failOpen, durability: .commit))
        let loop = Task { await writer.run() }
        for index in 0..<20 {
            try await writer.record(SyntheticAuditEvent.make(index: index))
            // Read through a second connection: committed, not merely queued.
            #expect(try await database.open().count() == index + 1)
        }
        try await writer.shutdown()
        await loop.value
    }

    @Test("commit durability, fail-open: a failed commit is reported (no audit ID) and the event is still written later")
    func commitFailureIsReported() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(
            store: try database.open(busyTimeout: .milliseconds(50)), configuration: Self.configuration(.failOpen, durability: .commit))
        let loop = Task { await writer.run() }
        #expect(try await eventually { writer.metrics.isDatabaseAvailable })
        let lock = try await WriteLockHolder.acquire(path: database.path)
        let event = SyntheticAuditEvent.make(index: 1)
        await #expect(throws: AuditError.self) { try await writer.record(event) }
        #expect(!writer.metrics.isDatabaseAvailable)
        try await lock.unlock()
        #expect(try await eventually { writer.metrics.written == 1 })
        #expect(try await writer.store.event(id: event.id) != nil)
        try await writer.shutdown()
        await loop.value
    }

    @Test("a database deleted while the writer runs is noticed before the next batch, and writing goes on in a new file")
    func removedDatabase() async throws {
        let database = TemporaryDatabase()
        defer { database.remove() }
        let writer = AuditWriter(store: try database.open(), configuration: Self.configuration(.failOpen))
        let loop = Task { await writer.run() }
        try await writer.record(SyntheticAuditEvent.make(index: 1))
        // Generous: in the full suite, CPU-bound tests can hold both cooperative threads for tens of seconds.
        try #require(try await eventually(timeout: .seconds(180)) { writer.metrics.written == 1 })

        database.remove()
        let later = SyntheticAuditEvent.make(index: 2)
        try await writer.record(later)
        #expect(try await eventually(timeout: .seconds(180)) { writer.metrics.written == 2 })
        #expect(writer.metrics.failedWrites >= 1)
        // The event written after the removal is in the file at the path, not in the unlinked one.
        let reopened = try database.open()
        #expect(try await reopened.count() == 1)
        #expect(try await reopened.event(id: later.id) != nil)
        try await writer.shutdown()
        await loop.value
    }
}
