/// One item to score: a conversation and the side of it to judge.
public struct ClassificationInput: Sendable, Hashable {
    public var conversation: Conversation
    public var direction: Direction

    public init(conversation: Conversation, direction: Direction) {
        self.conversation = conversation
        self.direction = direction
    }

    public init(text: String) {
        self.init(conversation: Conversation(prompt: text), direction: .input)
    }

    /// The turn being judged: the last user turn for input, the last assistant turn for output.
    public var judgedText: String {
        conversation.judgedIndex(for: direction).map { conversation.messages[$0].content } ?? ""
    }
}

/// Scores conversations against the model's labels.
///
/// The pipeline, policy and server see the classifier only through this protocol, so their tests
/// never load weights.
public protocol SafetyClassifier: Sendable {
    /// Identifier and version of the model, recorded in audit events.
    var modelID: String { get }
    /// The labels the model scores, `unsafe` first.
    var labels: [String] { get }
    /// Scores a batch; the result has one entry per input, in order.
    func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores]
    /// The model's operating threshold per label (what policy rules with `threshold: model` use); empty when the
    /// model states none.
    var operatingThresholds: [String: Double] { get }
    /// Thresholds chosen for one language where the shared one does not hold, by ISO 639-1 code and then label;
    /// empty when the model states none. A language-aware wrapper (WardenLanguage) applies them.
    var languageThresholds: [String: [String: Double]] { get }
}

extension SafetyClassifier {
    public var operatingThresholds: [String: Double] { [:] }
    public var languageThresholds: [String: [String: Double]] { [:] }

    public func classify(_ input: ClassificationInput) async throws -> LabelScores {
        let scores = try await classify([input])
        guard let first = scores.first else { throw ClassifierError.emptyResult }
        return first
    }
}

public enum ClassifierError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyResult
    case timedOut(milliseconds: Int)
    case unavailable(String)
    /// The request needs more windows (forward-pass units) than one request may use: a size refusal, not a
    /// failure, so it never falls back to the policy's `on_error` verdict.
    case tooLarge(windows: Int, limit: Int)

    public var description: String {
        switch self {
        case .emptyResult: "the classifier returned no scores"
        case .timedOut(let ms): "the classifier did not answer within \(ms) ms"
        case .unavailable(let why): "the classifier is unavailable: \(why)"
        case .tooLarge(let windows, let limit):
            "the request needs more than \(windows - 1) model windows and one request may use \(limit) "
                + "(batching.max_request_windows); send shorter or fewer texts"
        }
    }
}

/// An error by which a classifier refuses work for lack of capacity (a full queue) rather than failing: callers
/// answer "retry later" (HTTP 503 with `Retry-After`) instead of reporting a broken model.
public protocol CapacityRefusal: Error {
    /// Whether this error is such a refusal (an error type may have other cases).
    var isCapacityRefusal: Bool { get }
}
