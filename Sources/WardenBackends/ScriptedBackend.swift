import Synchronization
import WardenCore

/// Plays a script of chunks, pauses and errors: for demos and tests of what a guard does with a
/// slow, failing or harmful backend. Counts calls and how far each stream got.
public final class ScriptedBackend: GenerationBackend {
    public enum Step: Sendable {
        case chunk(String)
        case delay(Duration)
        case fail(any Error)
    }

    /// What the backend observed, for tests.
    public struct Record: Sendable, Hashable {
        /// Calls to `complete` and `stream`.
        public var calls = 0
        /// Chunks handed to consumers, over all streams.
        public var chunksSent = 0
        /// Streams or completions stopped by cancellation before their script ended.
        public var cancellations = 0
    }

    public let steps: [Step]
    public let finishReason: FinishReason
    public let model: String
    private let state = Mutex(Record())

    public init(steps: [Step], finishReason: FinishReason = .stop, model: String = "scripted") {
        self.steps = steps
        self.finishReason = finishReason
        self.model = model
    }

    /// Chunks with an optional pause before each.
    public convenience init(chunks: [String], delay: Duration = .zero, model: String = "scripted") {
        self.init(steps: chunks.flatMap { delay > .zero ? [.delay(delay), .chunk($0)] : [.chunk($0)] }, model: model)
    }

    public var record: Record { state.withLock { $0 } }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        state.withLock { $0.calls += 1 }
        var content = ""
        do {
            for step in steps {
                switch step {
                case .chunk(let text): content += text
                case .delay(let duration): try await Task.sleep(for: duration)
                case .fail(let error): throw error
                }
            }
        } catch is CancellationError {
            state.withLock { $0.cancellations += 1 }
            throw CancellationError()
        }
        return ChatResponse(model: request.model ?? model, content: content, finishReason: finishReason)
    }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatChunk, any Error> {
        state.withLock { $0.calls += 1 }
        return Self.play(steps, finishReason: finishReason) { [self] event in
            state.withLock { record in
                switch event {
                case .chunkSent: record.chunksSent += 1
                case .cancelled: record.cancellations += 1
                }
            }
        }
    }

    /// Plays `steps` as a stream; the last chunk carries `finishReason`. Stops when the consumer goes away.
    enum PlaybackEvent { case chunkSent, cancelled }

    static func play(
        _ steps: [Step], finishReason: FinishReason, observe: @escaping @Sendable (PlaybackEvent) -> Void = { _ in }
    ) -> AsyncThrowingStream<ChatChunk, any Error> {
        let (chunks, sink) = AsyncThrowingStream.makeStream(of: ChatChunk.self)
        let player = Task {
            do {
                for step in steps {
                    try Task.checkCancellation()
                    switch step {
                    case .chunk(let text):
                        sink.yield(ChatChunk(delta: text))
                        observe(.chunkSent)
                    case .delay(let duration): try await Task.sleep(for: duration)
                    case .fail(let error): throw error
                    }
                }
                sink.yield(ChatChunk(delta: "", finishReason: finishReason))
                sink.finish()
            } catch is CancellationError {
                observe(.cancelled)
                sink.finish()
            } catch {
                sink.finish(throwing: error)
            }
        }
        sink.onTermination = { _ in player.cancel() }
        return chunks
    }
}
