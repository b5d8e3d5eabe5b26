import WardenCore

@testable import WardenEval

/// Six examples whose `unsafe` scores repeat the hand-computed ranking case
/// (0.9 T, 0.8 F, 0.7 T, 0.6 T, 0.5 F, 0.4 F), with two category labels:
///
///     id source           unsafe categories    unsafe  hate  violent_crimes
///     a  toxicchat_train  yes    S1            0.9     0.7   0.8
///     b  toxicchat_train  no     –             0.8     0.2   0.1
///     c  jbb_artifacts    yes    S10           0.7     0.6   0.1
///     d  jbb_artifacts    yes    –             0.6     0.9   0.1
///     e  arena_hard       no     –             0.5     0.1   0.1
///     f  jbb_artifacts    no     profanity     0.4     0.4   0.1
enum ReportFixture {
    static let mapping = CategoryMapping(["S1": "violent_crimes", "S10": "hate", "harassment": "hate"])
    static let thresholds = ["unsafe": 0.65, "hate": 0.5, "violent_crimes": 0.5]

    static let examples: [LabelledExample] = [
        LabelledExample(id: "a", source: "toxicchat_train", prompt: "a", unsafe: true, categories: ["S1"]),
        LabelledExample(id: "b", source: "toxicchat_train", prompt: "b", unsafe: false),
        LabelledExample(
            id: "c", source: "jbb_artifacts", prompt: "c", response: "r", unsafe: true, categories: ["S10"]),
        LabelledExample(id: "d", source: "jbb_artifacts", prompt: "d", response: "r", unsafe: true),
        LabelledExample(id: "e", source: "arena_hard", prompt: "e", unsafe: false),
        LabelledExample(id: "f", source: "jbb_artifacts", prompt: "f", unsafe: false, categories: ["profanity"]),
    ]

    static let scores: [LabelScores] = [
        LabelScores(["unsafe": 0.9, "hate": 0.7, "violent_crimes": 0.8]),
        LabelScores(["unsafe": 0.8, "hate": 0.2, "violent_crimes": 0.1]),
        LabelScores(["unsafe": 0.7, "hate": 0.6, "violent_crimes": 0.1]),
        LabelScores(["unsafe": 0.6, "hate": 0.9, "violent_crimes": 0.1]),
        LabelScores(["unsafe": 0.5, "hate": 0.1, "violent_crimes": 0.1]),
        LabelScores(["unsafe": 0.4, "hate": 0.4, "violent_crimes": 0.1]),
    ]

    static let options = EvaluationOptions(bootstrap: BootstrapOptions(resamples: 50, seed: 9))

    static func report(
        scores: [LabelScores] = scores, options: EvaluationOptions = options
    ) throws -> EvaluationReport {
        try EvaluationReport(
            examples: examples, scores: scores, thresholds: thresholds, categoryMapping: mapping, options: options,
            metadata: ["model": "test <model> & co"])
    }
}
