import WardenCore

/// Judges each input by its language: the model routed for that language answers (the first model for English, for
/// undetermined text and for every language without a route), and its scores are aligned to the thresholds it states
/// for that language.
///
/// Alignment keeps one set of thresholds for policies (the first model's `operatingThresholds`). A score `p` of a
/// label whose threshold for this input is `t` (the answering model's threshold for the language, else its shared
/// one) while the policies' is `T` is mapped piecewise-linearly, `[0, t] → [0, T]` and `[t, 1] → [T, 1]`: monotone, so
/// rankings within a language are kept, and a score at the language's threshold lands exactly on the policies'.
/// With one model and no language thresholds every score passes unchanged.
///
/// Each score names the model that produced it (``LabelScores/model``), so verdicts and audit events can say which
/// model answered.
public struct LanguageAwareClassifier: WindowedClassifier {
    /// One model and the languages routed to it (none for the first, which takes everything else).
    public struct Member: Sendable {
        public var model: any WindowedClassifier
        public var languages: Set<String>

        public init(model: any WindowedClassifier, languages: Set<String> = []) {
            self.model = model
            self.languages = languages
        }
    }

    public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
        case labelsDiffer(first: String, other: String)
        case languageRoutedTwice(String)

        public var description: String {
            switch self {
            case .labelsDiffer(let first, let other):
                "the models \(first) and \(other) score different labels; only models of one taxonomy can share a service"
            case .languageRoutedTwice(let language):
                "the language '\(language)' is routed to two models; give each language one model"
            }
        }
    }

    public let members: [Member]
    public let identifier: LanguageIdentifier
    /// Windows per forward pass in ``classify(_:)``, at most (as the encoder classifier's).
    public let windowsPerPass = 32
    private let memberByLanguage: [String: Int]

    public init(members: [Member], identifier: LanguageIdentifier = LanguageIdentifier()) throws(ConfigurationError) {
        precondition(!members.isEmpty, "a language-aware classifier needs a model")
        var routes: [String: Int] = [:]
        for (index, member) in members.enumerated() {
            guard member.model.labels == members[0].model.labels else {
                throw .labelsDiffer(first: members[0].model.modelID, other: member.model.modelID)
            }
            for language in member.languages where index > 0 {
                guard routes.updateValue(index, forKey: language) == nil else { throw .languageRoutedTwice(language) }
            }
        }
        self.members = members
        self.identifier = identifier
        memberByLanguage = routes
    }

    /// Every model, first the one that takes what is not routed: `a@1+b@2`.
    public var modelID: String { members.map(\.model.modelID).joined(separator: "+") }
    public var labels: [String] { members[0].model.labels }
    public var operatingThresholds: [String: Double] { members[0].model.operatingThresholds }

    /// What decides an input: its language (nil when undetermined) and the member that answers.
    public func route(_ input: ClassificationInput) -> (language: String?, member: Int) {
        let language = identifier.identify(input.judgedText).language
        return (language, language.flatMap { memberByLanguage[$0] } ?? 0)
    }

    public func windows(of input: ClassificationInput) -> [ScoringWindow] {
        let (language, member) = route(input)
        return members[member].model.windows(of: input).map { ScoringWindow(RoutedWindow(member: member, language: language, inner: $0)) }
    }

    public func score(_ windows: [ScoringWindow]) async throws -> [LabelScores] {
        let routed = windows.map { window in
            guard let routed = window.content as? RoutedWindow else {
                preconditionFailure("a window of another classifier was passed to LanguageAwareClassifier")
            }
            return routed
        }
        var scores = [LabelScores](repeating: LabelScores(), count: routed.count)
        for member in Set(routed.map(\.member)).sorted() {
            let positions = routed.indices.filter { routed[$0].member == member }
            let model = members[member].model
            let memberScores = try await model.score(positions.map { routed[$0].inner })
            for (position, score) in zip(positions, memberScores) {
                scores[position] = aligned(score, language: routed[position].language, model: model)
            }
        }
        return scores
    }

    public func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        try await classifyInPasses(inputs, windowsPerPass: windowsPerPass)
    }

    /// `score` mapped onto the policies' thresholds, named by its model.
    func aligned(_ score: LabelScores, language: String?, model: any WindowedClassifier) -> LabelScores {
        let shared = operatingThresholds
        let own = language.flatMap { model.languageThresholds[$0] } ?? [:]
        var values = score.values
        for (label, value) in values {
            guard let target = shared[label], let from = own[label] ?? model.operatingThresholds[label] else { continue }
            values[label] = Self.align(value, from: from, to: target)
        }
        return LabelScores(values, model: model.modelID)
    }

    /// The piecewise-linear map that sends `from` to `to` and keeps 0 and 1.
    static func align(_ p: Double, from t: Double, to target: Double) -> Double {
        guard t > 0, t < 1, t != target else { return p }
        return p <= t ? p * target / t : target + (p - t) * (1 - target) / (1 - t)
    }
}

/// A window of one member's model, with the language its input was identified as.
struct RoutedWindow: Sendable {
    var member: Int
    var language: String?
    var inner: ScoringWindow
}
