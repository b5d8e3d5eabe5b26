import AsyncHTTPClient
import Foundation
import NIOCore
import WardenCore

/// A backend for any server speaking OpenAI's `/v1/chat/completions`: llama.cpp's server, vLLM,
/// Ollama, OpenAI itself.
///
/// Answers are read as JSON, streams as server-sent events (`data: {...}` lines ending with
/// `data: [DONE]`). Connection failures are retried (``Configuration/maxRetries``); HTTP errors
/// and failures after the answer started are not, since the upstream may already have done the
/// work. Cancelling the consuming task cancels the upstream request.
public struct OpenAICompatibleBackend: GenerationBackend {
    public struct Configuration: Sendable, Hashable {
        /// The server's address, with or without `/v1` (`http://127.0.0.1:8080`, `https://api.openai.com/v1`).
        public var baseURL: String
        /// Sent as `Authorization: Bearer <key>` when set.
        public var apiKey: String?
        /// The model to ask for when the request names none.
        public var model: String?
        /// Deadline of a non-streamed answer, from the request to the last byte.
        public var timeout: Duration
        /// Deadline of a whole stream.
        public var streamTimeout: Duration
        /// Extra attempts after a connection failure.
        public var maxRetries: Int
        /// Wait before the first retry; doubled for each further one.
        public var retryDelay: Duration
        /// Largest answer accepted, streamed or not: a stream is cut off with
        /// ``BackendError/answerTooLarge(url:limit:)`` once its bytes pass it.
        public var maxResponseBytes: Int

        public init(
            baseURL: String, apiKey: String? = nil, model: String? = nil, timeout: Duration = .seconds(120),
            streamTimeout: Duration = .seconds(600), maxRetries: Int = 2, retryDelay: Duration = .milliseconds(100),
            maxResponseBytes: Int = 256 << 10
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.model = model
            self.timeout = timeout
            self.streamTimeout = streamTimeout
            self.maxRetries = max(0, maxRetries)
            self.retryDelay = retryDelay
            self.maxResponseBytes = maxResponseBytes
        }
    }

    public let configuration: Configuration
    /// The chat completions endpoint, derived from the base URL.
    public let endpoint: String
    let client: HTTPClient

    /// - Parameters:
    ///   - httpClient: the client to send with; the process-wide shared one by default. Its
    ///     configuration sets the connect timeout; a client you create is yours to shut down.
    /// - Throws: ``BackendError/invalidConfiguration(_:)`` for a base URL that is not http(s).
    public init(configuration: Configuration, httpClient: HTTPClient = .shared) throws(BackendError) {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .invalidConfiguration("base URL '\(configuration.baseURL)' is not an http(s) URL such as http://127.0.0.1:8080")
        }
        self.configuration = configuration
        self.endpoint = base.hasSuffix("/v1") ? base + "/chat/completions" : base + "/v1/chat/completions"
        self.client = httpClient
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        let response = try await send(request, stream: false, deadline: configuration.timeout)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw BackendError.answerTooLarge(url: endpoint, limit: configuration.maxResponseBytes)
        } catch {
            throw mapAfterHead(error, deadline: configuration.timeout)
        }
        return try ChatCompletionWire.response(Data(body.readableBytesView), url: endpoint, fallbackModel: request.model ?? configuration.model ?? "")
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatChunk, any Error> {
        let (chunks, sink) = AsyncThrowingStream.makeStream(of: ChatChunk.self)
        let reader = Task {
            do {
                try await readStream(request, into: sink)
                sink.finish()
            } catch {
                sink.finish(throwing: error)
            }
        }
        // The consumer stopping (cancelled, or done early) cancels the HTTP request.
        sink.onTermination = { _ in reader.cancel() }
        return chunks
    }

    private func readStream(_ request: ChatRequest, into sink: AsyncThrowingStream<ChatChunk, any Error>.Continuation) async throws {
        let response = try await send(request, stream: true, deadline: configuration.streamTimeout)
        var parser = ServerSentEventParser()
        var events = 0
        var finished = false
        var received = 0
        do {
            for try await buffer in response.body {
                // Counted before parsing, so one endless event cannot grow the parser's buffer past the limit either.
                received += buffer.readableBytes
                if received > configuration.maxResponseBytes {
                    throw BackendError.answerTooLarge(url: endpoint, limit: configuration.maxResponseBytes)
                }
                for event in parser.feed(buffer.readableBytesView) {
                    events += 1
                    if event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" { return }
                    guard let chunk = try ChatCompletionWire.chunk(event, url: endpoint) else { continue }
                    if chunk.finishReason != nil { finished = true }
                    sink.yield(chunk)
                }
            }
        } catch let error as BackendError {
            throw error
        } catch {
            throw mapAfterHead(error, deadline: configuration.streamTimeout)
        }
        if let last = parser.finish() {
            events += 1
            if last.data.trimmingCharacters(in: .whitespaces) == "[DONE]" { return }
            if let chunk = try ChatCompletionWire.chunk(last, url: endpoint) {
                if chunk.finishReason != nil { finished = true }
                sink.yield(chunk)
            }
        }
        try Task.checkCancellation()
        if !finished { throw BackendError.streamEndedEarly(url: endpoint, events: events) }
    }
}
