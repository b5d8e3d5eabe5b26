import FakeOpenAIServer
import Foundation
import WardenBackends
import WardenCore
import WardenPipeline

/// What a guarded stream produced.
struct StreamOutcome {
    var input: GuardResult?
    /// Content events, in order.
    var contents: [String] = []
    var output: GuardResult?
    var end: GuardedStreamEnd?
    var order: [String] = []
    var answerStarted = false

    var text: String { contents.joined() }

    static func collect(_ stream: AsyncThrowingStream<GuardedStreamEvent, any Error>) async throws -> StreamOutcome {
        var outcome = StreamOutcome()
        for try await event in stream {
            switch event {
            case .inputChecked(let result):
                outcome.input = result
                outcome.order.append("input")
            case .content(let text):
                outcome.contents.append(text)
                if outcome.order.last != "content" { outcome.order.append("content") }
            case .outputChecked(let result):
                outcome.output = result
                outcome.order.append("output")
            case .finished(let end):
                outcome.end = end
                outcome.order.append("finished")
            case .answerStarted:
                outcome.answerStarted = true
            }
        }
        return outcome
    }
}

extension GuardedGenerator {
    /// A generator over an OpenAI-compatible backend pointed at the fake server.
    static func overHTTP(
        _ server: FakeOpenAIServer, _ scenario: FakeOpenAIServer.Scenario = .normal, guard guardStage: Guard,
        options: Options = Options()
    ) throws -> GuardedGenerator {
        let backend = try OpenAICompatibleBackend(configuration: .init(baseURL: server.baseURL(scenario), model: "fake-model"))
        return GuardedGenerator(backend: backend, guard: guardStage, options: options)
    }
}

extension ChatRequest {
    static func asking(_ question: String) -> ChatRequest {
        ChatRequest(messages: [.system("You are helpful."), .user(question)])
    }
}

/// A long answer with one harmful chunk at `harmfulIndex`.
func longScript(count: Int = 400, harmfulIndex: Int = 40) -> [String] {
    (0..<count).map { $0 == harmfulIndex ? "and then the bomb " : "word\($0) " }
}

/// Waits until `condition` holds (polling), for effects that land on another task; `false` after `timeout`.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}
