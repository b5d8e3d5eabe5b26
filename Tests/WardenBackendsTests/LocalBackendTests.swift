import Testing
import WardenBackends
import WardenCore

@Suite("Echo and scripted backends")
struct LocalBackendTests {
    @Test("the echo backend repeats the last user message, whole or in chunks")
    func echo() async throws {
        let request = ChatRequest(messages: [.user("first"), .assistant("ok"), .user("say this back")])
        let backend = EchoBackend(chunkCharacters: 4)
        #expect(try await backend.complete(request).content == "say this back")
        var chunks: [ChatChunk] = []
        for try await chunk in backend.stream(request) { chunks.append(chunk) }
        #expect(chunks.map(\.delta) == ["say ", "this", " bac", "k", ""])
        #expect(chunks.last?.finishReason == .stop)
    }

    struct Boom: Error, Equatable {}

    @Test("a scripted failure reaches the consumer after the chunks before it")
    func scriptedFailure() async throws {
        let backend = ScriptedBackend(steps: [.chunk("a"), .chunk("b"), .fail(Boom()), .chunk("never")])
        var received: [String] = []
        await #expect(throws: Boom.self) {
            for try await chunk in backend.stream(ChatRequest(messages: [.user("x")])) { received.append(chunk.delta) }
        }
        #expect(received == ["a", "b"])
        await #expect(throws: Boom.self) { try await backend.complete(ChatRequest(messages: [.user("x")])) }
        #expect(backend.record.calls == 2)
    }

    @Test("a consumer that stops early stops the script")
    func scriptedCancellation() async throws {
        let backend = ScriptedBackend(chunks: (0..<100).map(String.init), delay: .milliseconds(5))
        var received = 0
        for try await _ in backend.stream(ChatRequest(messages: [.user("x")])) {
            received += 1
            if received == 3 { break }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while backend.record.cancellations == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(backend.record.cancellations == 1)
        #expect(backend.record.chunksSent < 10)
    }
}
