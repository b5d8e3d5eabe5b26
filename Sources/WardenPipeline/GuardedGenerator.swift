import WardenCore

/// A generation backend behind the guard: the input is checked before (or, with
/// ``Options/speculative``, while) the backend runs, and the output before it reaches the caller.
///
/// - A blocked input is answered with the refusal and the verdict; the backend is not called (or,
///   speculatively started, is cancelled).
/// - A blocked output is replaced by the refusal, finish reason `content_filter`.
/// - `review` serves the answer; the audit log flags it.
/// - Streams are checked as they stream (see ``StreamingOptions`` and ``StreamMode``).
public struct GuardedGenerator: Sendable {
    public let backend: any GenerationBackend
    public let `guard`: Guard
    public let options: Options

    public init(backend: any GenerationBackend, guard: Guard, options: Options = Options()) {
        self.backend = backend
        self.guard = `guard`
        self.options = options
    }

    /// Checks the input, generates, checks the output.
    /// - Parameters:
    ///   - request: the chat request; its last user message is the judged input.
    ///   - policyID: the policy to apply to both sides.
    ///   - caller: the API key id of the caller, for the audit log.
    /// - Returns: the answer or the refusal, with both checks' results.
    /// - Throws: ``GuardError`` (unknown policy, input over limits, fail-closed failures) or the
    ///   backend's error.
    public func complete(_ request: ChatRequest, policyID: String, caller: String? = nil) async throws -> GuardedCompletion {
        let conversation = Conversation(request.messages)
        let answer: ChatResponse
        let input: GuardResult
        if options.speculative {
            let generation = Task { [backend] in try await backend.complete(request) }
            do {
                input = try await withTaskCancellationHandler {
                    try await self.guard.check(conversation, direction: .input, policyID: policyID, caller: caller)
                } onCancel: {
                    generation.cancel()
                }
            } catch {
                generation.cancel()
                throw error
            }
            if input.decision == .block {
                generation.cancel()
                return refused(request, input: input, output: nil)
            }
            answer = try await withTaskCancellationHandler { try await generation.value } onCancel: { generation.cancel() }
        } else {
            input = try await self.guard.check(conversation, direction: .input, policyID: policyID, caller: caller)
            if input.decision == .block { return refused(request, input: input, output: nil) }
            answer = try await backend.complete(request)
        }

        let answered = Conversation(request.messages + [.assistant(answer.content)])
        let output = try await self.guard.check(answered, direction: .output, policyID: policyID, caller: caller)
        if output.decision == .block {
            return refused(request, input: input, output: output, model: answer.model)
        }
        return GuardedCompletion(response: answer, input: input, output: output)
    }

    private func refused(_ request: ChatRequest, input: GuardResult, output: GuardResult?, model: String? = nil) -> GuardedCompletion {
        let response = ChatResponse(
            model: model ?? request.model ?? "", content: options.refusal, finishReason: .contentFilter
        )
        return GuardedCompletion(response: response, input: input, output: output)
    }
}
