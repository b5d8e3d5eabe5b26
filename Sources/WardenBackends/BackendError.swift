import Foundation

/// Why a generation backend could not answer. Messages name the upstream URL and what to check.
public enum BackendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration cannot work (for example a base URL that is not http(s)).
    case invalidConfiguration(String)
    /// No connection could be made (after `attempts` tries, the last failing for `reason`).
    case connectionFailed(url: String, attempts: Int, reason: String)
    /// The upstream answered with an HTTP error status; `message` is the upstream's own message.
    case httpStatus(url: String, status: Int, message: String)
    /// The upstream's answer is not what the OpenAI chat protocol specifies.
    /// - Parameters:
    ///   - field: where the problem is, such as `choices[0].message.content` or `data line 3`.
    ///   - problem: what is wrong with it.
    ///   - received: the start of what was received (truncated).
    case malformedResponse(url: String, field: String, problem: String, received: String)
    /// The upstream reported an error inside a stream (an `error` object in a `data:` event).
    case upstreamError(url: String, message: String)
    /// The stream ended (connection closed) before `data: [DONE]` or a finish reason.
    case streamEndedEarly(url: String, events: Int)
    /// The upstream did not finish within the configured timeout.
    case timedOut(url: String, after: Duration)
    /// The connection broke after the answer had started (not a connection failure: the upstream was reached).
    case closedMidAnswer(url: String, reason: String)
    /// The upstream sent nothing for `after` (the HTTP client's read timeout, 90 s), before its deadline.
    case stalled(url: String, after: Duration)
    /// The answer (a streamed one counted as it arrives) passed the configured size limit; reading stopped there.
    case answerTooLarge(url: String, limit: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid backend configuration: \(why)"
        case .connectionFailed(let url, let attempts, let reason):
            "could not connect to \(url) (\(attempts) attempt\(attempts == 1 ? "" : "s")): \(reason); is the generation server running?"
        case .httpStatus(let url, let status, let message): "\(url) answered HTTP \(status): \(message)"
        case .malformedResponse(let url, let field, let problem, let received):
            "\(url) sent a malformed answer: \(field) \(problem); received: \(received)"
        case .upstreamError(let url, let message): "\(url) reported an error mid-stream: \(message)"
        case .streamEndedEarly(let url, let events):
            "\(url) closed the stream after \(events) event\(events == 1 ? "" : "s") without a finish reason or data: [DONE]"
        case .timedOut(let url, let after): "\(url) did not finish within \(after) (backend.timeout_ms or backend.stream_timeout_ms)"
        case .closedMidAnswer(let url, let reason): "\(url) broke off its answer: \(reason)"
        case .stalled(let url, let after): "\(url) sent nothing for \(after) (the backend read timeout) and the request was dropped"
        case .answerTooLarge(let url, let limit):
            "\(url) sent an answer larger than \(limit) bytes; reading stopped (raise backend.max_answer_bytes "
                + "or ask the model for a shorter answer)"
        }
    }
}

extension BackendError: LocalizedError {
    public var errorDescription: String? { description }
}

extension String {
    /// The first `limit` characters, marked when cut, for error messages.
    func truncatedForMessage(_ limit: Int = 200) -> String {
        count <= limit ? self : String(prefix(limit)) + "… (\(count) characters)"
    }
}
