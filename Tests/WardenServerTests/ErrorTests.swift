import Foundation
import HummingbirdTesting
import NIOCore
import Testing
import WardenBackends
@testable import WardenServer
import WardenTesting

@Suite("Errors: JSON shape and status codes")
struct ErrorTests {
    /// `{"error": {"message", "type", "code"}}` with all three present.
    static func expectErrorShape(_ response: TestResponse, code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = response.json["error"] as? [String: Any]
        #expect((error?["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(error?["type"] is String, sourceLocation: sourceLocation)
        #expect(error?["code"] as? String == code, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/json", sourceLocation: sourceLocation)
    }

    @Test("400 for malformed JSON")
    func malformedJSON() async throws {
        try await TestServer.run { client in
            let response = try await client.post("/v1/moderations", json: #"{"input": "unterminated"#)
            #expect(response.status == .badRequest)
            Self.expectErrorShape(response, code: "invalid_json")
        }
    }

    @Test("400 for a body that is not UTF-8")
    func invalidUTF8() async throws {
        try await TestServer.run { client in
            var bytes = ByteBuffer(string: #"{"input": ""#)
            bytes.writeBytes([0xC3, 0x28, 0xFF])
            bytes.writeString(#""}"#)
            let response = try await client.post("/v1/moderations", bytes: bytes)
            #expect(response.status == .badRequest)
            Self.expectErrorShape(response, code: "invalid_utf8")
        }
    }

    @Test("400 for fields of the wrong type, naming the field", arguments: [
        (#"{"input": 42}"#, "/v1/moderations", "input"),
        (#"{"messages": [{"role": "user", "content": 7}]}"#, "/v1/guard/check", "messages[0].content"),
        (#"{"messages": [{"role": "wizard", "content": "hi"}]}"#, "/v1/guard/check", "messages[0].role"),
        (#"{"messages": "hello"}"#, "/v1/guard/check", "messages"),
    ])
    func wrongTypes(body: String, uri: String, field: String) async throws {
        try await TestServer.run { client in
            let response = try await client.post(uri, json: body)
            #expect(response.status == .badRequest)
            let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(field))
        }
    }

    @Test("a wrong content type or an unreadable string says what was expected, not 'expected an array'", arguments: [
        (#"{"input": 42}"#, "/v1/moderations", "expected a string or an array"),
        (#"{"messages": [{"role": "user", "content": 5}]}"#, "/v1/chat/completions", "expected a string or an array"),
        (#"{"messages": [{"role": "user", "content": 5}]}"#, "/v1/guard/check", "expected a string or an array"),
        (#"{"input": "bad \ud800 text"}"#, "/v1/moderations", "surrogate"),
    ])
    func contentErrors(body: String, uri: String, phrase: String) async throws {
        try await TestServer.run(backend: EchoBackend()) { client in
            let response = try await client.post(uri, json: body)
            #expect(response.status == .badRequest)
            let message = (response.json["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(phrase), "\(message)")
            #expect(!message.contains("expected an array"), "\(message)")
        }
    }

    @Test("a misspelt Warden field is refused with the field it resembles, not silently ignored; OpenAI's other fields pass")
    func misspeltField() async throws {
        try await TestServer.run(backend: EchoBackend()) { client in
            let typo = try await client.post("/v1/moderations", json: #"{"input": "hello", "polcy": "strict"}"#)
            #expect(typo.status == .badRequest)
            #expect(typo.errorCode == "unknown_field")
            #expect(typo.text.contains("did you mean 'policy'"))
            let openAI = try await client.post(
                "/v1/chat/completions",
                json: #"{"messages": [{"role": "user", "content": "hi"}], "temperature": 0.2, "top_p": 1, "user": "u1", "seed": 4, "max_tokens": 8}"#)
            #expect(openAI.status == .ok)
        }
    }

    @Test("a key twice in one object is refused, at any depth; the same key in different objects is fine")
    func duplicateKeys() async throws {
        #expect(RequestDecoding.duplicateKey(in: Data(#"{"input": "a", "policy": "strict", "policy": "permissive"}"#.utf8)) == "policy")
        #expect(RequestDecoding.duplicateKey(in: Data(#"{"messages": [{"role": "user", "role": "assistant", "content": "x"}]}"#.utf8)) == "role")
        #expect(RequestDecoding.duplicateKey(in: Data(#"{"messages": [{"role": "user", "content": "a \"role\": b"}, {"role": "user", "content": "y"}]}"#.utf8)) == nil)
        #expect(RequestDecoding.duplicateKey(in: Data(#"{"a": {"b": 1}, "b": [{"a": 2}]}"#.utf8)) == nil)
        try await TestServer.run { client in
            let response = try await client.post("/v1/moderations", json: #"{"input": "hello", "policy": "strict", "policy": "default"}"#)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "duplicate_key")
        }
    }

    @Test("413 for a body over the configured maximum")
    func oversized() async throws {
        try await TestServer.run(configure: { configuration, _ in configuration.maxBodyBytes = 1_000 }) { client in
            let response = try await client.post("/v1/moderations", json: jsonText(["input": String(repeating: "a", count: 2_000)]))
            #expect(response.status == .contentTooLarge)
            Self.expectErrorShape(response, code: "body_too_large")
        }
    }

    @Test("413 request_too_large for more model windows than one request may use, whatever the policy's on_error")
    func overWindowLimit() async throws {
        try await TestServer.run(classifier: WordWindowClassifier(), configure: { configuration, _ in
            configuration.batching.maxRequestWindows = 16
        }) { client in
            let texts = (0..<4).map { index in (0..<5).map { "w\(index)x\($0)" }.joined(separator: " ") }
            let response = try await client.post("/v1/moderations", json: jsonText(["input": texts]))
            #expect(response.status == .contentTooLarge)
            Self.expectErrorShape(response, code: "request_too_large")
            #expect(String(buffer: response.body).contains("max_request_windows"))
            let fits = try await client.post("/v1/moderations", json: jsonText(["input": Array(texts.prefix(3))]))
            #expect(fits.status == .ok)
        }
    }

    @Test("413 for input over the policy's limits")
    func overPolicyLimits() async throws {
        try await TestServer.run { client in
            let response = try await client.post("/v1/moderations", json: jsonText(["input": String(repeating: "word ", count: 600)]))
            #expect(response.status == .contentTooLarge)
            Self.expectErrorShape(response, code: "input_over_limits")
        }
    }

    @Test("422 for empty input", arguments: [
        (#"{"input": ""}"#, "/v1/moderations"),
        (#"{"input": []}"#, "/v1/moderations"),
        (#"{"input": ["fine", "   "]}"#, "/v1/moderations"),
        (#"{"messages": []}"#, "/v1/guard/check"),
        (#"{"messages": [{"role": "user", "content": ""}]}"#, "/v1/guard/check"),
    ])
    func emptyInput(body: String, uri: String) async throws {
        try await TestServer.run { client in
            let response = try await client.post(uri, json: body)
            #expect(response.status == .unprocessableContent)
            Self.expectErrorShape(response, code: "empty_input")
        }
    }

    @Test("404 as JSON for an unknown route")
    func unknownRoute() async throws {
        try await TestServer.run { client in
            let response = try await client.get("/v1/nothing-here")
            #expect(response.status == .notFound)
            Self.expectErrorShape(response, code: "not_found")
        }
    }

    @Test("503 with Retry-After when the classifier queue is full; queued requests still succeed")
    func overload() async throws {
        let gate = Gate()
        let classifier = KeywordClassifier(gate: gate)
        try await TestServer.run(classifier: classifier, configure: { configuration, _ in
            TestServer.withKeysIfNone(&configuration)
            configuration.batching = BatchingOptions(maxBatchSize: 1, maxWait: .zero, queueCapacity: 2)
            configuration.retryAfterSeconds = 3
        }) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await client.post("/v1/moderations", json: #"{"input": "one"}"#).status.code }
                #expect(try await eventually { classifier.batches.count == 1 })
                for text in ["two", "three"] {
                    group.addTask { try await client.post("/v1/moderations", json: jsonText(["input": text])).status.code }
                }
                #expect(try await eventually { try await client.get("/metrics").text.contains("warden_batch_queue_depth 2") })

                let refused = try await client.post("/v1/moderations", json: #"{"input": "four"}"#)
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "3")
                Self.expectErrorShape(refused, code: "overloaded")

                gate.open()
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == [200, 200, 200])
            }
            #expect(try await client.get("/metrics").text.contains("warden_overload_rejections_total 1"))
        }
    }
}
