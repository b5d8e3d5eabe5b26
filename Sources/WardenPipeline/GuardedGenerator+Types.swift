import WardenCore

extension GuardedGenerator {
    /// How a guarded generation behaves.
    public struct Options: Sendable, Hashable {
        /// Start the backend while the input check runs, and cancel it when the input is blocked.
        /// Saves the input check's latency on allowed requests, at the cost of backend work (and,
        /// for a paid API, tokens) spent on requests that end up blocked.
        public var speculative: Bool
        public var streaming: StreamingOptions
        /// The answer given in place of blocked content.
        public var refusal: String

        public init(
            speculative: Bool = false, streaming: StreamingOptions = StreamingOptions(),
            refusal: String = "I can't help with that request."
        ) {
            self.speculative = speculative
            self.streaming = streaming
            self.refusal = refusal
        }
    }

    /// How a streamed answer is checked while it streams.
    ///
    /// A check runs when `checkEveryChunks` chunks or `checkEveryCharacters` characters arrived
    /// since the last one (whichever comes first), and once more on the whole answer at the end.
    /// A check judges the last `windowCharacters` characters of the answer, stretched back to cover
    /// every character not yet checked, so consecutive windows overlap and a phrase split across a
    /// window boundary is still seen whole by one of them.
    public struct StreamingOptions: Sendable, Hashable {
        public var mode: StreamMode
        public var checkEveryChunks: Int
        public var checkEveryCharacters: Int
        public var windowCharacters: Int

        public init(mode: StreamMode = .holdBack, checkEveryChunks: Int = 16, checkEveryCharacters: Int = 200, windowCharacters: Int = 1_000) {
            self.mode = mode
            self.checkEveryChunks = max(1, checkEveryChunks)
            self.checkEveryCharacters = max(1, checkEveryCharacters)
            self.windowCharacters = max(1, windowCharacters)
        }
    }

    /// When streamed text reaches the caller.
    public enum StreamMode: String, Sendable, Hashable, CaseIterable {
        /// Text is released only after a check covering it passed: nothing unchecked is ever shown,
        /// at the cost of latency (text waits for its check).
        case holdBack
        /// Text is released as soon as it arrives and checks run alongside; a block cuts the stream,
        /// but what was sent before it stays sent.
        case streamFirst
    }
}

/// The answer of ``GuardedGenerator/complete(_:policyID:caller:)``.
public struct GuardedCompletion: Sendable, Hashable {
    /// The backend's answer, or the refusal (finish reason `content_filter`) when a side was blocked.
    public var response: ChatResponse
    public var input: GuardResult
    /// The output check; `nil` when the input was blocked (the backend's answer was never judged).
    public var output: GuardResult?

    public init(response: ChatResponse, input: GuardResult, output: GuardResult?) {
        self.response = response
        self.input = input
        self.output = output
    }

    /// The side that was blocked, if any.
    public var blocked: Direction? {
        if input.decision == .block { return .input }
        if output?.decision == .block { return .output }
        return nil
    }

    /// `true` when a check asked for human review (the answer was served and flagged in the audit log).
    public var flaggedForReview: Bool { input.decision == .review || output?.decision == .review }
}

/// What a guarded stream yields, in order: the input verdict, content deltas, the output verdict
/// (the final check's, or the one that blocked), and the end.
public enum GuardedStreamEvent: Sendable, Hashable {
    /// The input check's result. A blocked input is followed directly by ``finished(_:)``.
    case inputChecked(GuardResult)
    /// The backend's first chunk arrived (its text may still be withheld for a check): a failure before this is the
    /// backend failing to answer at all (a server can still answer 502); after it, a failure is mid-answer.
    case answerStarted
    /// Text to show (already checked in ``GuardedGenerator/StreamMode/holdBack`` mode).
    case content(String)
    /// The output check that decided: the one that blocked, or the final check of the whole answer.
    case outputChecked(GuardResult)
    /// The last event.
    case finished(GuardedStreamEnd)
}

/// How a guarded stream ended.
public struct GuardedStreamEnd: Sendable, Hashable {
    /// The backend's finish reason, or `content_filter` when a check blocked.
    public var finishReason: FinishReason
    /// When blocked, the refusal text to show in place of the withheld content.
    public var refusal: String?
    /// The side that was blocked, if any.
    public var blocked: Direction?

    public init(finishReason: FinishReason, refusal: String? = nil, blocked: Direction? = nil) {
        self.finishReason = finishReason
        self.refusal = refusal
        self.blocked = blocked
    }
}
