import WardenCore

/// Answers with the last user message: for demos, smoke tests and measuring the guard's overhead.
public struct EchoBackend: GenerationBackend {
    /// Characters per streamed chunk.
    public var chunkCharacters: Int
    /// Pause before each streamed chunk (and, once, before a complete answer).
    public var delay: Duration
    public var model: String

    public init(chunkCharacters: Int = 8, delay: Duration = .zero, model: String = "echo") {
        self.chunkCharacters = max(1, chunkCharacters)
        self.delay = delay
        self.model = model
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        if delay > .zero { try await Task.sleep(for: delay) }
        return ChatResponse(model: request.model ?? model, content: Self.echo(request), finishReason: .stop)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatChunk, any Error> {
        let text = Self.echo(request)
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(chunkCharacters)))
            rest = rest.dropFirst(chunkCharacters)
        }
        let steps: [ScriptedBackend.Step] = pieces.flatMap { piece -> [ScriptedBackend.Step] in
            delay > .zero ? [.delay(delay), .chunk(piece)] : [.chunk(piece)]
        }
        return ScriptedBackend.play(steps, finishReason: .stop)
    }

    static func echo(_ request: ChatRequest) -> String {
        request.messages.last { $0.role == .user }?.content ?? ""
    }
}
