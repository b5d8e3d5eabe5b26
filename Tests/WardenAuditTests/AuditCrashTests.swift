import Foundation
import Synchronization
import Testing
import WardenCore

@testable import WardenAudit

@Suite("Audit crash safety")
struct AuditCrashTests {
    @Test("a writer process killed with SIGKILL mid-write leaves a sound log with every committed batch", arguments: AuditBackend.allCases)
    func survivesSIGKILL(backend: AuditBackend) async throws {
        let database = try await TestAuditStore.open(backend)
        defer { database.remove() }
        let warden = try #require(Self.wardenExecutable(), "build the warden executable first: swift build --scratch-path <yours>")
        let batchSize = 50
        let requested = 1_000_000

        // Given a process writing batches and printing each committed batch's last index
        let process = Process()
        process.executableURL = warden
        process.arguments = [
            "audit", "_load", "--count", String(requested), "--batch-size", String(batchSize),
        ] + database.commandLineArguments
        let output = PipeCollector()
        process.standardOutput = output.pipe
        process.standardError = FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        try process.run()

        // When it is killed after a few commits, while still writing
        let sawCommits = try await eventually(timeout: .seconds(60)) { output.lines.count >= 8 }
        kill(process.processIdentifier, SIGKILL)
        for await _ in exited.stream {}
        await output.waitForEnd()
        #expect(sawCommits)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGKILL)

        // Then the file is sound and holds whole batches 0..<n, including every batch reported committed
        let printed = output.lines.compactMap { Int($0) }
        let lastCommitted = try #require(printed.last)
        let store = try await database.openAnother()
        #expect(try await store.consistencyProblems() == [])
        let count = try await store.count()
        #expect(count > lastCommitted)
        #expect(count < requested, "the loader finished before it was killed")
        #expect(count % batchSize == 0, "a partial batch was committed")
        let indices = Set(try await database.allEventIDs().compactMap(SyntheticAuditEvent.index(of:)))
        #expect(indices == Set(0..<count))
        // And it still takes writes
        try await store.record(SyntheticAuditEvent.make(index: requested + 1))
        #expect(try await store.count() == count + 1)
    }

    /// The `warden` built beside this test bundle, or in a `.build*` folder of the package.
    static func wardenExecutable() -> URL? {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        directories.append(Bundle.main.bundleURL)
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let scratch = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot.path))?
            .filter { $0.hasPrefix(".build") }.sorted() ?? []
        for folder in scratch {
            directories.append(packageRoot.appendingPathComponent(folder).appendingPathComponent("debug"))
        }
        return directories.map { $0.appendingPathComponent("warden") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// Collects a pipe's output as complete lines, read on Foundation's background queue.
final class PipeCollector: Sendable {
    let pipe = Pipe()
    private let buffer = LineBuffer()

    init() {
        pipe.fileHandleForReading.readabilityHandler = { [buffer] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            buffer.append(data)
        }
    }

    var lines: [String] { buffer.lines }

    func waitForEnd() async {
        _ = try? await eventually(timeout: .seconds(10)) { self.buffer.ended }
    }
}

/// Splits appended bytes into lines; empty data marks the end of the stream.
final class LineBuffer: Sendable {
    private let state = Mutex<(partial: String, lines: [String], ended: Bool)>(("", [], false))

    func append(_ data: Data) {
        state.withLock { state in
            guard !data.isEmpty else {
                state.ended = true
                return
            }
            state.partial += String(decoding: data, as: UTF8.self)
            while let newline = state.partial.firstIndex(of: "\n") {
                state.lines.append(String(state.partial[..<newline]))
                state.partial.removeSubrange(...newline)
            }
        }
    }

    var lines: [String] { state.withLock { $0.lines } }
    var ended: Bool { state.withLock { $0.ended } }
}
