import Foundation
import Hummingbird
import NIOCore
import WardenCore
import WardenPipeline

extension WardenService {
    /// `POST /v1/chat/completions`: the guarded proxy. Blocked input or output is answered with the
    /// refusal and finish reason `content_filter`; the verdicts are in `warden`.
    func chatCompletion(_ request: Request) async throws -> Response {
        let caller = try authenticator.client(request)
        let body = try await RequestDecoding.decode(ChatCompletionRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        guard let lastUser = body.messages.last(where: { $0.role == .user }) else {
            throw APIError.unprocessable("messages has no user message to answer", code: "empty_input")
        }
        try Self.requireText([lastUser.content], field: "the last user message")
        guard let generator else {
            throw APIError(
                .serviceUnavailable, type: "server_error", code: "no_backend",
                message: "no generation backend is configured; start warden serve with --backend URL "
                    + "(or --backend echo), or set backend.url in the settings file")
        }
        let policyID = try policyID(for: caller, requested: body.policy)
        try admit(inputs: 1)
        let chatRequest = body.chatRequest
        let id = "chatcmpl-\(UUID().uuidString.lowercased())"
        let created = Int(Date().timeIntervalSince1970)
        if body.stream == true {
            return try await stream(generator, chatRequest, policyID: policyID, caller: caller, id: id, created: created)
        }

        let completion = try await generator.complete(chatRequest, policyID: policyID, caller: caller.auditID)
        metrics.decided(completion.input.verdict, endpoint: "chat")
        if let output = completion.output { metrics.decided(output.verdict, endpoint: "chat") }
        let blocked = completion.blocked
        let response = ChatCompletionResponse(
            id: id, created: created, model: completion.response.model.nonEmpty ?? body.model ?? backendModel,
            choices: [
                .init(
                    message: .init(content: completion.response.content),
                    finishReason: completion.response.finishReason.rawValue)
            ],
            warden: ChatVerdictDTO(
                input: VerdictRecord(completion.input),
                output: completion.output.map { VerdictRecord($0) }, blocked: blocked,
                refusal: blocked == nil ? nil : completion.response.content))
        return try jsonResponse(response)
    }

    /// Server-sent events: `data: {chat.completion.chunk}` lines, then `data: [DONE]`.
    ///
    /// The input verdict and, when it passes, the backend's first chunk are awaited before answering, so an unknown
    /// policy, an input over the limits, an overloaded classifier or a backend that cannot answer at all still get
    /// their HTTP status (404, 413, 503, 502).
    private func stream(
        _ generator: GuardedGenerator, _ chatRequest: ChatRequest, policyID: String, caller: Caller, id: String, created: Int
    ) async throws -> Response {
        let events = EventIterator(generator.stream(chatRequest, policyID: policyID, caller: caller.auditID))
        var awaited: [GuardedStreamEvent] = []
        while let event = try await events.next() {
            awaited.append(event)
            if case .inputChecked(let result) = event, result.decision != .block { continue }
            break
        }
        let head = awaited
        let model = chatRequest.model ?? backendModel
        let taxonomy = self.taxonomy
        let metrics = self.metrics
        let logger = self.logger
        @Sendable func chunk(_ delta: ChatCompletionChunk.Delta, finish: String? = nil, warden: ChatVerdictDTO? = nil) -> ByteBuffer {
            let value = ChatCompletionChunk(
                id: id, created: created, model: model, choices: [.init(delta: delta, finishReason: finish)], warden: warden)
            let data = (try? APIJSON.encoder.encode(value)) ?? Data("{}".utf8)
            return ByteBuffer(string: "data: " + String(decoding: data, as: UTF8.self) + "\n\n")
        }

        let keepAlive = configuration.streamKeepAlive
        let body = ResponseBody { writer in
            try await writer.write(chunk(.init(role: "assistant", content: "")))
            // Events and keep-alive ticks through one queue: while hold-back mode withholds text, the comment lines
            // are what notice a client that left (their write fails), and leaving cancels the backend's generation.
            let (steps, step) = AsyncStream.makeStream(of: StreamStep.self)
            let pump = Task {
                do {
                    while let event = try await events.next() { step.yield(.event(event)) }
                    step.yield(.ended)
                } catch {
                    step.yield(.failed(error))
                }
            }
            let ticker = Task {
                while (try? await Task.sleep(for: keepAlive)) != nil { step.yield(.tick) }
            }
            // Cancelling the pump ends the event stream, which cancels the guarded generation and its backend call.
            defer {
                pump.cancel()
                ticker.cancel()
                step.finish()
            }
            var verdicts = ChatVerdictDTO()
            var lastWrite = ContinuousClock.now
            var buffered = head[...]
            var event = buffered.popFirst()
            var queue = steps.makeAsyncIterator()
            while let current = event {
                switch current {
                case .inputChecked(let result):
                    metrics.decided(result.verdict, endpoint: "chat")
                    verdicts.input = VerdictRecord(result)
                case .answerStarted:
                    break
                case .content(let text):
                    try await writer.write(chunk(.init(content: text)))
                case .outputChecked(let result):
                    metrics.decided(result.verdict, endpoint: "chat")
                    verdicts.output = VerdictRecord(result)
                case .finished(let end):
                    verdicts.blocked = end.blocked
                    verdicts.refusal = end.refusal
                    let delta = ChatCompletionChunk.Delta(content: end.blocked == nil ? nil : end.refusal)
                    try await writer.write(chunk(delta, finish: end.finishReason.rawValue, warden: verdicts))
                }
                lastWrite = .now
                event = buffered.popFirst()
                if event != nil { continue }
                waiting: while let next = await queue.next() {
                    switch next {
                    case .event(let received):
                        event = received
                        break waiting
                    case .ended:
                        break waiting
                    case .tick:
                        guard ContinuousClock.now - lastWrite >= keepAlive else { continue }
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = .now
                    case .failed(let error):
                        // The status line is long gone: report the failure in the stream, as OpenAI does.
                        let apiError = APIError(error, retryAfter: 1)
                        logger.warning("chat stream failed", metadata: ["warden.error": "\(apiError)"])
                        try await writer.write(ByteBuffer(string: "data: " + String(decoding: apiError.body, as: UTF8.self) + "\n\n"))
                        break waiting
                    }
                }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

/// What the stream's body waits for: the next guarded event, the end, a failure, or a keep-alive tick.
private enum StreamStep: Sendable {
    case event(GuardedStreamEvent)
    case ended
    case failed(any Error)
    case tick
}

/// Moves a stream's iterator from the handler into the response body writer.
///
/// `AsyncThrowingStream.Iterator` is not `Sendable`; this box is, because it is used by one task at
/// a time: the handler reads the first event, then hands the box to the body, which reads the rest.
private final class EventIterator: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<GuardedStreamEvent, any Error>.Iterator

    init(_ stream: AsyncThrowingStream<GuardedStreamEvent, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> GuardedStreamEvent? {
        // The iterator is a handle on the stream's shared storage, so a copy advances it as well.
        var copy = iterator
        defer { iterator = copy }
        return try await copy.next()
    }
}
