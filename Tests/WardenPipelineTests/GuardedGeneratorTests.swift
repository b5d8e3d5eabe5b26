import FakeOpenAIServer
import Foundation
import Testing
import WardenBackends
import WardenCore

@testable import WardenPipeline

@Suite("Guarded generation against a real OpenAI-compatible HTTP server")
struct GuardedGeneratorTests {
    @Test("a blocked input is refused with its verdict and the backend is never called")
    func inputBlocked() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let audit = RecordingAuditStore()
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(audit: audit))

        let completion = try await generator.complete(.asking("how do I build a bomb"), policyID: "closed", caller: "key-1")
        #expect(completion.blocked == .input)
        #expect(completion.response.finishReason == .contentFilter)
        #expect(completion.response.content == generator.options.refusal)
        #expect(completion.output == nil)

        let streamed = try await StreamOutcome.collect(generator.stream(.asking("how do I build a bomb"), policyID: "closed"))
        #expect(streamed.order == ["input", "finished"])
        #expect(streamed.end == GuardedStreamEnd(finishReason: .contentFilter, refusal: generator.options.refusal, blocked: .input))

        #expect(server.snapshot.totalRequests == 0)
        let events = await audit.events
        #expect(events.map(\.decision) == [.block, .block])
        #expect(events.map(\.direction) == [.input, .input])
        #expect(events.first?.caller == "key-1")
        #expect(events.first?.messages.last?.content == "how do I build a bomb")
    }

    @Test("a blocked answer is replaced by the refusal with finish reason content_filter")
    func outputBlocked() async throws {
        let server = try await FakeOpenAIServer.start(script: ["Sure, ", "here is the bomb recipe."])
        defer { Task { await server.stop() } }
        let audit = RecordingAuditStore()
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(audit: audit))

        let completion = try await generator.complete(.asking("tell me a story"), policyID: "closed")
        #expect(completion.blocked == .output)
        #expect(completion.response.content == generator.options.refusal)
        #expect(completion.response.finishReason == .contentFilter)
        #expect(completion.input.decision == .allow)
        #expect(server.snapshot.requests["normal"] == 1)

        let event = try #require(await audit.events.first)
        #expect(await audit.events.count == 1)
        #expect(event.direction == .output)
        #expect(event.decision == .block)
        #expect(event.messages.last == AuditMessage(role: .assistant, content: "Sure, here is the bomb recipe.", contentHash: nil))
    }

    @Test("review serves the answer and flags it in the audit log")
    func reviewServed() async throws {
        let server = try await FakeOpenAIServer.start(script: ["Take one ", "dose with water."])
        defer { Task { await server.stop() } }
        let audit = RecordingAuditStore()
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(audit: audit))

        let completion = try await generator.complete(.asking("how should I take it"), policyID: "closed")
        #expect(completion.response.content == "Take one dose with water.")
        #expect(completion.response.finishReason == .stop)
        #expect(completion.flaggedForReview)
        #expect(completion.blocked == nil)

        let streamed = try await StreamOutcome.collect(generator.stream(.asking("how should I take it"), policyID: "closed"))
        #expect(streamed.text == "Take one dose with water.")
        #expect(streamed.output?.decision == .review)
        #expect(streamed.output?.auditID != nil)
        #expect(streamed.end?.finishReason == .stop)

        let events = await audit.events
        #expect(events.map(\.decision) == [.review, .review])
        #expect(events.map(\.direction) == [.output, .output])
        #expect(events.last?.id == streamed.output?.auditID)
    }

    @Test("a block mid-stream cancels the upstream request and ends with content_filter", arguments: GuardedGenerator.StreamMode.allCases)
    func blockMidStream(mode: GuardedGenerator.StreamMode) async throws {
        let script = longScript()
        let server = try await FakeOpenAIServer.start(script: script, chunkDelay: .milliseconds(5))
        defer { Task { await server.stop() } }
        let audit = RecordingAuditStore()
        let options = GuardedGenerator.Options(streaming: .init(mode: mode, checkEveryChunks: 8, checkEveryCharacters: 10_000, windowCharacters: 120))
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(audit: audit), options: options)

        let outcome = try await StreamOutcome.collect(generator.stream(.asking("write a long text"), policyID: "closed"))
        #expect(outcome.end?.finishReason == .contentFilter)
        #expect(outcome.end?.blocked == .output)
        #expect(outcome.output?.decision == .block)
        #expect(script.joined().hasPrefix(outcome.text))
        if mode == .holdBack { #expect(!outcome.text.contains("bomb")) }

        let record = try #require(await server.waitForStreams(1).first)
        #expect(record.endedByClient)
        #expect(record.chunksWritten < 200, "the server wrote \(record.chunksWritten) of \(script.count) chunks")

        let events = await audit.events
        #expect(events.count == 1)
        #expect(events.first?.decision == .block)
        #expect(events.first?.id == outcome.output?.auditID)
        #expect(events.first?.messages.last?.content?.contains("bomb") == true)
    }

    @Test("holdBack releases only text that passing checks covered, whatever the check spacing and window", arguments: [
        (1, 10_000, 30), (3, 10_000, 10), (100, 7, 10), (4, 25, 60),
    ])
    func holdBackNeverLeaks(everyChunks: Int, everyCharacters: Int, window: Int) async throws {
        let scripts = [
            // The harmful word split across two chunks.
            ["Sure. ", "First you ", "take the ", "bo", "mb and ", "then ", "more text."],
            // The harmful word early, followed by more text than a window holds.
            ["bomb ", "a b c d e f g h ", "i j k l m n o p ", "q r s t u v w x "],
        ]
        for script in scripts {
            let server = try await FakeOpenAIServer.start(script: script)
            let classifier = KeywordClassifier()
            let options = GuardedGenerator.Options(streaming: .init(
                mode: .holdBack, checkEveryChunks: everyChunks, checkEveryCharacters: everyCharacters, windowCharacters: window
            ))
            let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(classifier), options: options)
            let outcome = try await StreamOutcome.collect(generator.stream(.asking("go on"), policyID: "closed"))
            await server.stop()

            #expect(outcome.end?.blocked == .output)
            #expect(!outcome.text.contains("bomb"))
            // Where each passing window lies in the answer (windows end on chunk boundaries).
            let answer = Array(script.joined().utf8)
            let boundaries = script.indices.map { script[...$0].joined().utf8.count }
            let passing = classifier.batches.flatMap { $0 }.filter { $0.direction == .output }.map(KeywordClassifier.judged)
                .filter { !$0.contains("bomb") }
            let covered: [Range<Int>] = passing.flatMap { window in
                boundaries.filter { end in end >= window.utf8.count && answer[(end - window.utf8.count)..<end].elementsEqual(window.utf8) }
                    .map { ($0 - window.utf8.count)..<$0 }
            }
            var released = 0
            for piece in outcome.contents {
                released += piece.utf8.count
                let uncovered = (0..<released).first { position in !covered.contains { $0.contains(position) } }
                #expect(uncovered == nil, "byte \(uncovered ?? 0) of \(script) was released without a passing check covering it")
            }
        }
    }

    @Test("streamFirst sends text before its check and a clean answer ends normally with the final verdict")
    func streamFirstClean() async throws {
        let server = try await FakeOpenAIServer.start(script: ["A ", "clean ", "answer."])
        defer { Task { await server.stop() } }
        let options = GuardedGenerator.Options(streaming: .init(mode: .streamFirst, checkEveryChunks: 2))
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(), options: options)
        let outcome = try await StreamOutcome.collect(generator.stream(.asking("hi"), policyID: "closed"))
        #expect(outcome.text == "A clean answer.")
        #expect(outcome.order == ["input", "content", "output", "finished"])
        #expect(outcome.output?.decision == .allow)
        #expect(outcome.end == GuardedStreamEnd(finishReason: .stop))
    }

    @Test("a failing classifier refuses before generation under fail-closed")
    func failClosedGeneration() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let audit = RecordingAuditStore()
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(KeywordClassifier(.fail), audit: audit))
        let completion = try await generator.complete(.asking("hello"), policyID: "closed")
        #expect(completion.blocked == .input)
        #expect(completion.input.source == .classifierFailure)
        let streamed = try await StreamOutcome.collect(generator.stream(.asking("hello"), policyID: "closed"))
        #expect(streamed.end?.blocked == .input)
        #expect(server.snapshot.totalRequests == 0)
        let reasons = await audit.events.map(\.reason)
        #expect(reasons.count == 2)
        #expect(reasons.allSatisfy { $0.contains("fails closed") })
    }

    @Test("a classifier timing out serves the answer under fail-open, both checks marked and audited")
    func failOpenGeneration() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let audit = RecordingAuditStore()
        let guardStage = try Guard.testing(KeywordClassifier(.slow(.seconds(30))), audit: audit, timeout: .milliseconds(30))
        let generator = try GuardedGenerator.overHTTP(server, guard: guardStage)

        let completion = try await generator.complete(.asking("hello"), policyID: "open")
        #expect(completion.response.content == "Hello, world.")
        #expect(completion.input.source == .classifierFailure)
        #expect(completion.output?.source == .classifierFailure)

        let streamed = try await StreamOutcome.collect(generator.stream(.asking("hello"), policyID: "open"))
        #expect(streamed.text == "Hello, world.")
        #expect(streamed.end?.finishReason == .stop)

        let events = await audit.events
        #expect(events.map(\.direction) == [.input, .output, .input, .output])
        #expect(events.allSatisfy { $0.decision == .allow && $0.reason.contains("fails open") })
    }

    @Test("a speculative start is cancelled when the input is blocked, and used when it is allowed")
    func speculativeStart() async throws {
        // The blocked requests' backend is slow enough that it is still running when the input check
        // blocks, however loaded the machine is; a fast one could finish first and never be cancelled.
        let slow = ScriptedBackend(chunks: ["fine ", "answer"], delay: .seconds(30))
        let options = GuardedGenerator.Options(speculative: true)
        let blocking = GuardedGenerator(backend: slow, guard: try Guard.testing(), options: options)

        let blocked = try await blocking.complete(.asking("build a bomb"), policyID: "closed")
        #expect(blocked.blocked == .input)
        let streamedBlock = try await StreamOutcome.collect(blocking.stream(.asking("build a bomb"), policyID: "closed"))
        #expect(streamedBlock.end?.blocked == .input)
        #expect(await eventually { slow.record.cancellations == 2 })
        #expect(slow.record.calls == 2)

        let backend = ScriptedBackend(chunks: ["fine ", "answer"], delay: .milliseconds(100))
        let generator = GuardedGenerator(backend: backend, guard: try Guard.testing(), options: options)
        let served = try await generator.complete(.asking("hello"), policyID: "closed")
        #expect(served.response.content == "fine answer")
        let streamed = try await StreamOutcome.collect(generator.stream(.asking("hello"), policyID: "closed"))
        #expect(streamed.text == "fine answer")
        #expect(streamed.order == ["input", "content", "output", "finished"])
    }

    @Test("an upstream HTTP error reaches the caller of complete and of stream")
    func upstreamError() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let generator = try GuardedGenerator.overHTTP(server, .failing, guard: Guard.testing())
        await #expect(throws: BackendError.self) { try await generator.complete(.asking("hello"), policyID: "closed") }
        await #expect(throws: BackendError.self) {
            _ = try await StreamOutcome.collect(generator.stream(.asking("hello"), policyID: "closed"))
        }
    }

    @Test("a consumer that stops reading cancels the upstream request")
    func consumerCancellation() async throws {
        let script = longScript(harmfulIndex: -1)
        let server = try await FakeOpenAIServer.start(script: script, chunkDelay: .milliseconds(5))
        defer { Task { await server.stop() } }
        let options = GuardedGenerator.Options(streaming: .init(mode: .streamFirst))
        let generator = try GuardedGenerator.overHTTP(server, guard: Guard.testing(), options: options)
        var contents = 0
        for try await event in generator.stream(.asking("hello"), policyID: "closed") {
            if case .content = event { contents += 1 }
            if contents == 3 { break }
        }
        let record = try #require(await server.waitForStreams(1).first)
        #expect(record.endedByClient)
        #expect(record.chunksWritten < 200)
    }
}
