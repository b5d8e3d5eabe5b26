import AsyncHTTPClient
import FakeOpenAIServer
import Foundation
import Testing
import WardenCore

@testable import WardenBackends

@Suite("OpenAI-compatible backend against a real HTTP server")
struct OpenAICompatibleBackendTests {
    let request = ChatRequest(messages: [.system("Be brief."), .user("Say hello")], sampling: .init(temperature: 0.2, maxTokens: 16))

    func backend(_ server: FakeOpenAIServer, _ scenario: FakeOpenAIServer.Scenario = .normal, timeout: Duration = .seconds(10)) throws -> OpenAICompatibleBackend {
        try OpenAICompatibleBackend(configuration: .init(
            baseURL: server.baseURL(scenario), apiKey: "test-key", model: "fake-model", timeout: timeout, streamTimeout: timeout
        ))
    }

    @Test("a complete answer is read from choices[0].message and the request carries model, messages and key")
    func completeAnswer() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let response = try await backend(server).complete(request)

        #expect(response.content == "Hello, world.")
        #expect(response.finishReason == .stop)
        #expect(response.model == "fake-model")
        let stats = server.snapshot
        #expect(stats.requests["normal"] == 1)
        #expect(stats.lastAuthorization == "Bearer test-key")
        let body = try #require(JSONSerialization.jsonObject(with: Data(stats.lastBody.utf8)) as? [String: Any])
        #expect(body["model"] as? String == "fake-model")
        #expect(body["stream"] as? Bool == false)
        #expect(body["max_tokens"] as? Int == 16)
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"]])
    }

    @Test("a stream yields one chunk per data event and ends with the finish reason")
    func streamedAnswer() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        var deltas: [String] = []
        var finish: FinishReason?
        for try await chunk in try backend(server).stream(request) {
            if !chunk.delta.isEmpty { deltas.append(chunk.delta) }
            if let reason = chunk.finishReason { finish = reason }
        }
        #expect(deltas == server.script)
        #expect(finish == .stop)
        let streams = await server.waitForStreams(1)
        #expect(streams.first?.endedByClient == false)
        #expect(streams.first?.chunksWritten == server.script.count + 2)
    }

    @Test("an answer over max_answer_bytes stops with answerTooLarge, streamed (one huge delta) or not")
    func answerSizeIsBounded() async throws {
        let server = try await FakeOpenAIServer.start(script: ["start ", String(repeating: "x", count: 400_000), " end"])
        defer { Task { await server.stop() } }
        let limited = try OpenAICompatibleBackend(configuration: .init(baseURL: server.baseURL(.normal), maxResponseBytes: 64 << 10))
        await #expect(throws: BackendError.answerTooLarge(url: limited.endpoint, limit: 64 << 10)) {
            for try await _ in limited.stream(request) {}
        }
        await #expect(throws: BackendError.answerTooLarge(url: limited.endpoint, limit: 64 << 10)) {
            _ = try await limited.complete(request)
        }
        // The same answer within the limit is read whole.
        let roomy = try OpenAICompatibleBackend(configuration: .init(baseURL: server.baseURL(.normal), maxResponseBytes: 1 << 20))
        #expect(try await roomy.complete(request).content.count == 400_010)
    }

    @Test("the read timeout (silence) and the deadline are told apart, each naming its own limit")
    func timeoutMessages() throws {
        let backend = try OpenAICompatibleBackend(configuration: .init(baseURL: "http://127.0.0.1:9", streamTimeout: .seconds(600)))
        #expect(backend.timeoutError(HTTPClientError.readTimeout, deadline: .seconds(600)) == .stalled(url: backend.endpoint, after: .seconds(90)))
        #expect(backend.timeoutError(HTTPClientError.deadlineExceeded, deadline: .seconds(600)) == .timedOut(url: backend.endpoint, after: .seconds(600)))
        #expect(BackendError.stalled(url: "u", after: .seconds(90)).description.contains("sent nothing for 90"))
        #expect(backend.timeoutError(HTTPClientError.remoteConnectionClosed, deadline: .seconds(600)) == nil)
    }

    @Test("an HTTP error carries the upstream's message and is not retried")
    func httpErrorIsNotRetried() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let error = try await #require(throws: BackendError.self) { try await backend(server, .failing).complete(request) }
        guard case .httpStatus(_, let status, let message) = error else { Issue.record("unexpected \(error)"); return }
        #expect(status == 500)
        #expect(message == "model overloaded, try later")
        #expect(error.description.contains("HTTP 500"))
        #expect(server.snapshot.requests["failing"] == 1)
    }

    @Test("a body cut off mid-JSON is reported as invalid JSON with what was received")
    func malformedJSON() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let error = try await #require(throws: BackendError.self) { try await backend(server, .malformedJSON).complete(request) }
        guard case .malformedResponse(_, let field, let problem, let received) = error else { Issue.record("unexpected \(error)"); return }
        #expect(field == "body")
        #expect(problem == "is not valid JSON")
        #expect(received.hasPrefix(#"{"id": "x", "choices""#))
        #expect(server.snapshot.requests["malformed-json"] == 1)
    }

    @Test("a field of the wrong type is named by its path")
    func wrongType() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let error = try await #require(throws: BackendError.self) { try await backend(server, .wrongType).complete(request) }
        guard case .malformedResponse(_, let field, let problem, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(field == "body: choices[0].message.content")
        #expect(problem == "is not a string")
    }

    @Test("a malformed data event ends the stream with an error naming its line, after the good chunks")
    func malformedSSE() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        var received: [String] = []
        let error = try await #require(throws: BackendError.self) {
            for try await chunk in try backend(server, .malformedSSE).stream(request) { received.append(chunk.delta) }
        }
        #expect(received == ["Hello"])
        guard case .malformedResponse(_, let field, let problem, let text) = error else { Issue.record("unexpected \(error)"); return }
        #expect(field == "data line 3")
        #expect(problem == "is not valid JSON")
        #expect(text.contains("oops"))
    }

    @Test("a stream closed before a finish reason or [DONE] is an error, not a short answer")
    func truncatedSSE() async throws {
        let server = try await FakeOpenAIServer.start()
        defer { Task { await server.stop() } }
        let error = try await #require(throws: BackendError.self) {
            for try await _ in try backend(server, .truncatedSSE).stream(request) {}
        }
        #expect(error == .streamEndedEarly(url: try backend(server, .truncatedSSE).endpoint, events: 2))
    }

    @Test("cancelling the consumer cancels the upstream request: the server stops writing")
    func cancellationStopsUpstream() async throws {
        let script = (0..<200).map { "token\($0) " }
        let server = try await FakeOpenAIServer.start(script: script, chunkDelay: .milliseconds(10))
        defer { Task { await server.stop() } }
        var received = 0
        for try await chunk in try backend(server).stream(request) where !chunk.delta.isEmpty {
            received += 1
            if received == 5 { break }
        }
        let streams = await server.waitForStreams(1)
        let record = try #require(streams.first)
        #expect(record.endedByClient)
        #expect(record.chunksWritten < 50, "the server wrote \(record.chunksWritten) of \(script.count) chunks")
    }

    @Test("an upstream slower than the timeout fails with a timeout, once")
    func timeout() async throws {
        let server = try await FakeOpenAIServer.start(slowDelay: .seconds(2))
        defer { Task { await server.stop() } }
        let error = try await #require(throws: BackendError.self) {
            try await backend(server, .slow, timeout: .milliseconds(200)).complete(request)
        }
        guard case .timedOut = error else { Issue.record("unexpected \(error)"); return }
        #expect(server.snapshot.requests["slow"] == 1)
    }

    @Test("a refused connection is retried, then reported with the number of attempts")
    func connectionRefusedIsRetried() async throws {
        let server = try await FakeOpenAIServer.start()
        let url = server.baseURL()
        await server.stop()
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(timeout: .init(connect: .milliseconds(500))))
        let backend = try OpenAICompatibleBackend(
            configuration: .init(baseURL: url, timeout: .seconds(20), maxRetries: 2, retryDelay: .milliseconds(10)), httpClient: client
        )
        let outcome = await #expect(throws: BackendError.self) { try await backend.complete(request) }
        try await client.shutdown()
        let error = try #require(outcome)
        guard case .connectionFailed(_, let attempts, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(attempts == 3)
    }

    @Test("base URLs with or without /v1 reach the chat completions endpoint; others are refused", arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/chat/completions"),
        ("https://api.example.com/v1", "https://api.example.com/v1/chat/completions"),
    ])
    func endpoints(base: String, endpoint: String) throws {
        #expect(try OpenAICompatibleBackend(configuration: .init(baseURL: base)).endpoint == endpoint)
    }

    @Test("a base URL that is not http(s) is a configuration error")
    func invalidBaseURL() {
        #expect(throws: BackendError.self) { try OpenAICompatibleBackend(configuration: .init(baseURL: "127.0.0.1:8080")) }
    }
}
