/// A mismatch between the labelled examples and the scores or thresholds handed to the report.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    case scoreCountMismatch(examples: Int, scores: Int)
    case missingScore(label: String, exampleID: String)
    case invalidScore(label: String, exampleID: String, value: Double)
    case missingThreshold(label: String)
    case noBenignItems(sources: [String])

    public var description: String {
        switch self {
        case .scoreCountMismatch(let examples, let scores):
            "got \(scores) score sets for \(examples) examples; classify every example once, in order"
        case .missingScore(let label, let id):
            "example \(id) has no score for label \"\(label)\"; the category mapping names a label the "
                + "model does not produce, or the scores are from another model"
        case .invalidScore(let label, let id, let value):
            "example \(id): score \(value) for \"\(label)\" is not a probability in [0, 1]"
        case .missingThreshold(let label):
            "no operating threshold for label \"\(label)\"; pass one for unsafe and every mapped category label"
        case .noBenignItems(let sources):
            "no safe items of the benign sources (\(sources.joined(separator: ", "))) to choose thresholds on; "
                + "pass data that holds some, or name other sources"
        }
    }
}
