/// One unit of a forward pass: a window of an input's tokens, opaque to everyone but the classifier that made it.
public struct ScoringWindow: Sendable {
    /// The classifier's own representation (for the encoder, a token window).
    public var content: any Sendable

    public init(_ content: any Sendable) {
        self.content = content
    }
}

/// A classifier that scores each input as one or more windows and takes the maximum over them.
///
/// It exposes the windows so that a scheduler can work by cost rather than by input: bound the windows of one
/// forward pass (and so its memory), refuse a request by its size, interleave a long input's windows with other
/// callers' short ones, and drop the windows still queued when their caller gives up.
public protocol WindowedClassifier: SafetyClassifier {
    /// The windows to score for `input`, at least one.
    func windows(of input: ClassificationInput) -> [ScoringWindow]
    /// Scores windows made by ``windows(of:)``; one result per window, in order.
    func score(_ windows: [ScoringWindow]) async throws -> [LabelScores]
}

/// The windows of a classifier that does not split its inputs: one window per input, scored as a batch of inputs.
/// Lets a scheduler treat every classifier as windowed.
public struct WholeInputWindows: WindowedClassifier {
    public let base: any SafetyClassifier

    public init(_ base: any SafetyClassifier) {
        self.base = base
    }

    public var modelID: String { base.modelID }
    public var labels: [String] { base.labels }
    public var operatingThresholds: [String: Double] { base.operatingThresholds }

    public func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        try await base.classify(inputs)
    }

    public func windows(of input: ClassificationInput) -> [ScoringWindow] {
        [ScoringWindow(input)]
    }

    public func score(_ windows: [ScoringWindow]) async throws -> [LabelScores] {
        let inputs = windows.map { window in
            guard let input = window.content as? ClassificationInput else {
                preconditionFailure("a window of another classifier was passed to WholeInputWindows")
            }
            return input
        }
        return try await base.classify(inputs)
    }
}

extension WindowedClassifier {
    /// Scores inputs window by window, at most `windowsPerPass` windows per call of ``score(_:)``, so memory stays
    /// bounded however long an input is; a cancelled task stops between passes. An input's score is the maximum over
    /// its windows.
    public func classifyInPasses(_ inputs: [ClassificationInput], windowsPerPass: Int) async throws -> [LabelScores] {
        let windowed = WindowedBatch(inputs) { windows(of: $0) }
        var scores = [LabelScores](repeating: LabelScores(), count: inputs.count)
        for start in stride(from: 0, to: windowed.windows.count, by: windowsPerPass) {
            try Task.checkCancellation()
            let pass = Array(windowed.windows[start..<min(start + windowsPerPass, windowed.windows.count)])
            windowed.merge(try await score(pass), startingAt: start, into: &scores)
        }
        return scores
    }
}

extension SafetyClassifier {
    /// This classifier as a windowed one: itself when it splits inputs into windows, one window per input otherwise.
    public var windowed: any WindowedClassifier {
        (self as? any WindowedClassifier) ?? WholeInputWindows(self)
    }
}

/// The windows of a batch of inputs in one list, each with the input it belongs to; an input's score is the maximum
/// over its windows.
public struct WindowedBatch<Window> {
    public private(set) var windows: [Window] = []
    /// The index of the input each window belongs to.
    public private(set) var owners: [Int] = []

    public init(_ inputs: [ClassificationInput], windowing: (ClassificationInput) throws -> [Window]) rethrows {
        for (index, input) in inputs.enumerated() {
            for window in try windowing(input) {
                windows.append(window)
                owners.append(index)
            }
        }
    }

    /// Folds the scores of `windows[start...]` (in order) into their inputs' scores, keeping each label's maximum.
    public func merge(_ windowScores: [LabelScores], startingAt start: Int, into scores: inout [LabelScores]) {
        for (offset, score) in windowScores.enumerated() {
            let owner = owners[start + offset]
            scores[owner] = scores[owner].merged(withMaximumOf: score)
        }
    }
}
