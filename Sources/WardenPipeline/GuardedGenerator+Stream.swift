import WardenCore

extension GuardedGenerator {
    /// Checks the input, then streams the backend's answer while checking it (see
    /// ``StreamingOptions``). A block cancels the backend (and so its upstream request) and ends
    /// the stream with finish reason `content_filter`.
    ///
    /// Cancelling the consuming task (or dropping the stream) cancels the backend too.
    /// - Returns: events in order: ``GuardedStreamEvent/inputChecked(_:)``, ``GuardedStreamEvent/answerStarted``,
    ///   ``GuardedStreamEvent/content(_:)``…,
    ///   ``GuardedStreamEvent/outputChecked(_:)``, ``GuardedStreamEvent/finished(_:)``. The stream
    ///   throws ``GuardError`` or the backend's error.
    public func stream(_ request: ChatRequest, policyID: String, caller: String? = nil) -> AsyncThrowingStream<GuardedStreamEvent, any Error> {
        let (events, sink) = AsyncThrowingStream.makeStream(of: GuardedStreamEvent.self)
        let driver = Task {
            do {
                try await drive(request, policyID: policyID, caller: caller, sink: sink)
                sink.finish()
            } catch {
                sink.finish(throwing: error)
            }
        }
        sink.onTermination = { _ in driver.cancel() }
        return events
    }

    /// Everything the driver reacts to, from the input check, the backend and the output checks.
    private enum Signal: Sendable {
        case input(Result<GuardResult, GuardError>)
        case chunk(ChatChunk)
        case upstreamEnded
        case upstreamFailed(any Error)
        case checked(StreamModeration.Window, Result<GuardResult, GuardError>)
    }

    private func drive(
        _ request: ChatRequest, policyID: String, caller: String?,
        sink: AsyncThrowingStream<GuardedStreamEvent, any Error>.Continuation
    ) async throws {
        let (signals, signal) = AsyncStream.makeStream(of: Signal.self)
        let backend = self.backend
        let guardStage = self.guard
        func outputRequest(_ answer: String) -> GuardRequest {
            GuardRequest(conversation: Conversation(request.messages + [.assistant(answer)]), direction: .output, policyID: policyID, caller: caller)
        }
        func startUpstream() -> Task<Void, Never> {
            Task {
                do {
                    for try await chunk in backend.stream(request) { signal.yield(.chunk(chunk)) }
                    signal.yield(.upstreamEnded)
                } catch {
                    signal.yield(.upstreamFailed(error))
                }
            }
        }

        var upstream: Task<Void, Never>?
        var checks: [Task<Void, Never>] = []
        defer {
            upstream?.cancel()
            checks.forEach { $0.cancel() }
            signal.finish()
        }

        let inputRequest = GuardRequest(conversation: Conversation(request.messages), direction: .input, policyID: policyID, caller: caller)
        checks.append(Task { signal.yield(.input(await guardStage.evaluate([inputRequest], recordAudit: true)[0])) })
        if options.speculative { upstream = startUpstream() }

        var moderation = StreamModeration(options: options.streaming)
        var inputPassed = false
        var finalStarted = false
        var finalPassed = false
        var blocking: GuardResult?
        // The output check to report when nothing blocks: the highest decision, the final check on ties.
        var deciding: GuardResult?
        var upstreamError: (any Error)?
        var announcedStart = false

        for await event in signals {
            switch event {
            case .input(let outcome):
                let result = try outcome.get()
                sink.yield(.inputChecked(result))
                if result.decision == .block {
                    upstream?.cancel()
                    sink.yield(.finished(GuardedStreamEnd(finishReason: .contentFilter, refusal: options.refusal, blocked: .input)))
                    return
                }
                inputPassed = true
                if upstream == nil { upstream = startUpstream() }
            case .chunk(let chunk):
                moderation.append(chunk)
            case .upstreamEnded:
                moderation.endUpstream()
            case .upstreamFailed(let error):
                // A speculative start can fail before the input verdict; a blocked input still wins.
                upstreamError = error
            case .checked(let window, let outcome):
                let result = try outcome.get()
                if result.decision == .block {
                    upstream?.cancel()
                    blocking = result
                } else {
                    moderation.checkPassed(window)
                    if window.isFinal { finalPassed = true }
                    if deciding == nil || result.decision > deciding!.decision || (window.isFinal && result.decision == deciding!.decision) {
                        deciding = result
                    }
                }
            }

            // The input verdict comes first; with a speculative start, output waits for it.
            guard inputPassed else { continue }
            if let upstreamError { throw upstreamError }
            if !announcedStart && moderation.chunksReceived > 0 {
                announcedStart = true
                sink.yield(.answerStarted)
            }
            if let blocking {
                let audited = try await guardStage.decidedStream(blocking, of: outputRequest(moderation.text))
                sink.yield(.outputChecked(audited))
                sink.yield(.finished(GuardedStreamEnd(finishReason: .contentFilter, refusal: options.refusal, blocked: .output)))
                return
            }
            if let text = moderation.takeReleasable(mode: options.streaming.mode) { sink.yield(.content(text)) }
            if finalPassed, let deciding {
                let audited = try await guardStage.decidedStream(deciding, of: outputRequest(moderation.text))
                sink.yield(.outputChecked(audited))
                sink.yield(.finished(GuardedStreamEnd(finishReason: moderation.finishReason ?? .stop)))
                return
            }
            let due = !finalStarted && moderation.finalCheckDue ? true : moderation.periodicCheckDue ? false : nil
            if let final = due {
                finalStarted = finalStarted || final
                let window = moderation.beginCheck(final: final)
                let checkRequest = outputRequest(window.text)
                checks.append(Task { signal.yield(.checked(window, await guardStage.evaluate([checkRequest], recordAudit: false)[0])) })
            }
        }
        try Task.checkCancellation()
    }
}
