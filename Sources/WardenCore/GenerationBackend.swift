/// Sampling parameters for a chat completion; `nil` leaves the backend's default.
public struct SamplingParameters: Codable, Sendable, Hashable {
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var seed: Int?

    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, seed: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
    }
}

/// A request to a generation backend.
public struct ChatRequest: Sendable, Hashable {
    public var model: String?
    public var messages: [Message]
    public var sampling: SamplingParameters
    public var stop: [String]

    public init(model: String? = nil, messages: [Message], sampling: SamplingParameters = .init(), stop: [String] = []) {
        self.model = model
        self.messages = messages
        self.sampling = sampling
        self.stop = stop
    }
}

/// Why generation ended; raw values follow OpenAI's `finish_reason`.
public enum FinishReason: String, Codable, Sendable {
    case stop, length
    case contentFilter = "content_filter"
    case toolCalls = "tool_calls"
}

/// A complete answer from a backend.
public struct ChatResponse: Sendable, Hashable {
    public var model: String
    public var content: String
    public var finishReason: FinishReason

    public init(model: String, content: String, finishReason: FinishReason) {
        self.model = model
        self.content = content
        self.finishReason = finishReason
    }
}

/// One piece of a streamed answer. The last chunk carries a finish reason.
public struct ChatChunk: Sendable, Hashable {
    public var delta: String
    public var finishReason: FinishReason?

    public init(delta: String, finishReason: FinishReason? = nil) {
        self.delta = delta
        self.finishReason = finishReason
    }
}

/// A language model that answers chat requests: an OpenAI-compatible server or a Swift model.
///
/// Cancelling the task that consumes `stream` must stop the backend's work (and its upstream request).
public protocol GenerationBackend: Sendable {
    func complete(_ request: ChatRequest) async throws -> ChatResponse
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatChunk, any Error>
}
