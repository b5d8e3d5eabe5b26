import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// The routes of ``FakeOpenAIServer``. Built before the server knows its port, then attached.
final class Behaviour: Sendable {
    let script: [String]
    let chunkDelay: Duration
    let slowDelay: Duration
    private let server = Mutex<FakeOpenAIServer?>(nil)

    init(script: [String], chunkDelay: Duration, slowDelay: Duration) {
        self.script = script
        self.chunkDelay = chunkDelay
        self.slowDelay = slowDelay
    }

    func attach(_ server: FakeOpenAIServer) { self.server.withLock { $0 = server } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/:scenario/v1/chat/completions") { request, context in
            try await self.respond(request, context: context)
        }
        return router
    }

    private func respond(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let scenarioName = context.parameters.get("scenario") ?? ""
        let body = try await request.body.collect(upTo: 1 << 20)
        let text = String(buffer: body)
        server.withLock { $0 }?.recordRequest(scenarioName, body: text, authorization: request.headers[.authorization])
        guard let scenario = FakeOpenAIServer.Scenario(rawValue: scenarioName) else {
            return json(.notFound, #"{"error": {"message": "unknown scenario"}}"#)
        }
        let streaming = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["stream"] as? Bool ?? false

        switch scenario {
        case .failing:
            return json(.internalServerError, #"{"error": {"message": "model overloaded, try later", "type": "server_error"}}"#)
        case .malformedJSON:
            return json(.ok, #"{"id": "x", "choices": [{"index": 0, "message": {"role": "assist"#)
        case .wrongType:
            return json(.ok, #"{"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": 42}}]}"#)
        case .slow:
            try await Task.sleep(for: slowDelay)
        case .normal, .malformedSSE, .truncatedSSE:
            break
        }
        guard streaming else {
            let message: [String: Any] = ["role": "assistant", "content": script.joined()]
            let answer: [String: Any] = ["model": "fake-model", "choices": [["index": 0, "message": message, "finish_reason": "stop"]]]
            let data = try JSONSerialization.data(withJSONObject: answer)
            return json(.ok, String(decoding: data, as: UTF8.self))
        }
        return stream(scenario)
    }

    private func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func stream(_ scenario: FakeOpenAIServer.Scenario) -> Response {
        let events = events(for: scenario)
        let delay = chunkDelay
        let server = self.server.withLock { $0 }
        return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
            var written = 0
            var endedByClient = true
            defer { server?.recordStream(.init(scenario: scenario.rawValue, chunksWritten: written, endedByClient: endedByClient)) }
            for event in events {
                if delay > .zero { try await Task.sleep(for: delay) }
                try await writer.write(ByteBuffer(string: event))
                written += 1
            }
            try await writer.finish(nil)
            endedByClient = false
        })
    }

    /// The `data:` events of a stream (one per script chunk, then the finish event and `[DONE]`).
    private func events(for scenario: FakeOpenAIServer.Scenario) -> [String] {
        func event(_ delta: String?, finish: String?) -> String {
            var choice: [String: Any] = ["index": 0, "delta": delta.map { ["content": $0] } ?? [:]]
            choice["finish_reason"] = finish ?? NSNull()
            let object: [String: Any] = ["id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": "fake-model", "choices": [choice]]
            let data = try! JSONSerialization.data(withJSONObject: object)
            return "data: " + String(decoding: data, as: UTF8.self) + "\n\n"
        }
        let chunks = script.map { event($0, finish: nil) }
        switch scenario {
        case .malformedSSE:
            return [chunks.first ?? event("x", finish: nil), "data: {\"choices\": [{\"delta\": {\"content\": \"oops\"\n\n"]
        case .truncatedSSE:
            return Array(chunks.prefix(2))
        default:
            return chunks + [event(nil, finish: "stop"), "data: [DONE]\n\n"]
        }
    }
}
