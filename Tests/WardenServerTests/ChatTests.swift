import Foundation
import HummingbirdTesting
import Testing
import WardenBackends
import WardenCore
@testable import WardenServer

@Suite("Guarded chat completions")
struct ChatTests {
    static func chat(_ content: String, stream: Bool = false) -> String {
        jsonText(["model": "test-model", "messages": [["role": "user", "content": content]], "stream": stream])
    }

    /// The JSON objects of the `data:` lines of a server-sent event stream, and whether it ended with [DONE].
    static func events(_ text: String) -> (chunks: [[String: Any]], done: Bool) {
        var chunks: [[String: Any]] = []
        var done = false
        for line in text.split(separator: "\n") where line.hasPrefix("data: ") {
            let payload = line.dropFirst(6)
            if payload == "[DONE]" {
                done = true
            } else if let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] {
                chunks.append(object)
            }
        }
        return (chunks, done)
    }

    static func choice(_ chunk: [String: Any]) -> [String: Any] {
        (chunk["choices"] as? [[String: Any]])?.first ?? [:]
    }

    @Test("An allowed request is answered by the backend, with both verdicts")
    func allowed() async throws {
        try await TestServer.run(backend: EchoBackend()) { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("Say hello politely"))
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["object"] as? String == "chat.completion")
            let choice = Self.choice(json)
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Say hello politely")
            #expect(choice["finish_reason"] as? String == "stop")
            let warden = try #require(json["warden"] as? [String: Any])
            #expect((warden["input"] as? [String: Any])?["decision"] as? String == "allow")
            #expect((warden["output"] as? [String: Any])?["decision"] as? String == "allow")
            #expect(warden["blocked"] is NSNull)
        }
    }

    @Test("A blocked input is refused without calling the backend: content_filter, refusal and verdict")
    func blockedInput() async throws {
        let backend = ScriptedBackend(chunks: ["never", " sent"])
        try await TestServer.run(backend: backend) { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("how do I kill my neighbour"))
            #expect(response.status == .ok)
            let choice = Self.choice(response.json)
            #expect(choice["finish_reason"] as? String == "content_filter")
            let warden = try #require(response.json["warden"] as? [String: Any])
            #expect(warden["blocked"] as? String == "input")
            #expect((warden["refusal"] as? String)?.isEmpty == false)
            #expect((choice["message"] as? [String: Any])?["content"] as? String == warden["refusal"] as? String)
            #expect((warden["input"] as? [String: Any])?["llama_guard_codes"] as? [String] == ["S1"])
        }
        #expect(backend.record.calls == 0)
    }

    @Test("A stream of allowed text arrives as chunks, ends with stop, the verdicts, and [DONE]")
    func streamAllowed() async throws {
        try await TestServer.run(backend: EchoBackend(chunkCharacters: 4)) { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("a calm answer about tea", stream: true))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let (chunks, done) = Self.events(response.text)
            #expect(done)
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            let text = chunks.compactMap { (Self.choice($0)["delta"] as? [String: Any])?["content"] as? String }.joined()
            #expect(text == "a calm answer about tea")
            let last = try #require(chunks.last)
            #expect(Self.choice(last)["finish_reason"] as? String == "stop")
            #expect(((last["warden"] as? [String: Any])?["output"] as? [String: Any])?["decision"] as? String == "allow")
        }
    }

    @Test("Harmful streamed output is cut: finish_reason content_filter, refusal, blocked output")
    func streamBlockedOutput() async throws {
        let backend = ScriptedBackend(chunks: ["Sure. ", "First get ", "a bomb ", "and then ", "more text"])
        try await TestServer.run(backend: backend) { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("tell me a story", stream: true))
            #expect(response.status == .ok)
            let (chunks, done) = Self.events(response.text)
            #expect(done)
            let streamed = chunks.dropLast().compactMap { (Self.choice($0)["delta"] as? [String: Any])?["content"] as? String }.joined()
            #expect(!streamed.contains("bomb"))
            let last = try #require(chunks.last)
            #expect(Self.choice(last)["finish_reason"] as? String == "content_filter")
            let warden = try #require(last["warden"] as? [String: Any])
            #expect(warden["blocked"] as? String == "output")
            #expect((warden["output"] as? [String: Any])?["decision"] as? String == "block")
            #expect((Self.choice(last)["delta"] as? [String: Any])?["content"] as? String == warden["refusal"] as? String)
        }
    }

    @Test("Without a backend the route answers 503 saying how to configure one")
    func noBackend() async throws {
        try await TestServer.run { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("hello"))
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "no_backend")
            #expect(response.text.contains("--backend"))
        }
    }

    @Test("A streamed request under an unknown policy gets its 404 before any event")
    func streamUnknownPolicy() async throws {
        try await TestServer.run(backend: EchoBackend()) { client in
            let body = jsonText(["messages": [["role": "user", "content": "hello"]], "stream": true, "policy": "nope"])
            let response = try await client.post("/v1/chat/completions", json: body)
            #expect(response.status == .notFound)
            #expect(response.errorCode == "policy_not_found")
        }
    }

    @Test("A streamed request whose backend fails before its first chunk gets 502 with the error shape, not 200")
    func streamBackendFailsBeforeAnswer() async throws {
        let failure = BackendError.connectionFailed(url: "http://127.0.0.1:9/v1/chat/completions", attempts: 3, reason: "connection refused")
        let backend = ScriptedBackend(steps: [.fail(failure)])
        try await TestServer.run(backend: backend) { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("hello there", stream: true))
            #expect(response.status == .badGateway)
            #expect(response.errorCode == "backend_error")
            #expect(response.text.contains("connection refused"))
        }
    }

    @Test("A backend that fails mid-answer ends the 200 stream with an error event, after the text before it")
    func streamBackendFailsMidAnswer() async throws {
        let backend = ScriptedBackend(steps: [.chunk("calm "), .fail(BackendError.streamEndedEarly(url: "http://up/v1", events: 1))])
        try await TestServer.run(backend: backend) { client in
            let response = try await client.post("/v1/chat/completions", json: Self.chat("hello there", stream: true))
            #expect(response.status == .ok)
            #expect(response.text.contains("closed the stream after 1 event"))
            #expect(Self.events(response.text).done)
        }
    }
}
