import Testing
import WardenCore

@testable import WardenLanguage

/// A model that scores `unsafe` by a fixed table of texts (0.9 for any other), `hate` at half of it.
private struct TableModel: WindowedClassifier {
    let modelID: String
    var labels = ["unsafe", "hate"]
    var operatingThresholds: [String: Double] = ["unsafe": 0.5]
    var languageThresholds: [String: [String: Double]] = [:]
    var table: [String: Double] = [:]

    func windows(of input: ClassificationInput) -> [ScoringWindow] { [ScoringWindow(input.judgedText)] }

    func score(_ windows: [ScoringWindow]) async throws -> [LabelScores] {
        windows.map { window in
            let value = table[window.content as! String] ?? 0.9
            return LabelScores(["unsafe": value, "hate": value / 2])
        }
    }

    func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        try await score(inputs.flatMap { windows(of: $0) })
    }
}

@Suite("Language-aware classification: routing and per-language thresholds")
struct LanguageAwareClassifierTests {
    static let english = "How do I bake bread at home with my children this weekend?"
    static let french = "Comment est-ce que je peux faire du pain à la maison avec mes enfants ce week-end ?"
    static let thai = "ฉันจะอบขนมปังที่บ้านได้อย่างไร"

    @Test("each language goes to the model routed for it, the rest to the first; every score names its model")
    func routes() async throws {
        let router = try LanguageAwareClassifier(members: [
            .init(model: TableModel(modelID: "english@1")),
            .init(model: TableModel(modelID: "multi@1"), languages: ["fr", "th"]),
        ])
        #expect(router.modelID == "english@1+multi@1")
        let texts = [Self.english, Self.french, Self.thai, "ok"]
        let scores = try await router.classify(texts.map { ClassificationInput(text: $0) })
        #expect(scores.map(\.model) == ["english@1", "multi@1", "multi@1", "english@1"])
        #expect(router.route(ClassificationInput(text: "ok")).language == nil)
        // The windowed front door (what the server's batcher uses) agrees with classify.
        let windows = texts.flatMap { router.windows(of: ClassificationInput(text: $0)) }
        #expect(try await router.score(windows).map(\.model) == scores.map(\.model))
    }

    @Test("a language's own threshold lands on the policies' threshold; order within it and other languages are kept")
    func alignsThresholds() async throws {
        let model = TableModel(
            modelID: "m@1", languageThresholds: ["fr": ["unsafe": 0.8]],
            table: [Self.french: 0.8, Self.english: 0.8, "Je veux vraiment savoir comment faire du pain ce soir": 0.9])
        let router = try LanguageAwareClassifier(members: [.init(model: model)])
        let scores = try await router.classify(
            [Self.french, Self.english, "Je veux vraiment savoir comment faire du pain ce soir"].map { ClassificationInput(text: $0) })
        #expect(abs(scores[0].unsafe - 0.5) < 1e-12)  // at the French threshold: on the shared one
        #expect(abs(scores[1].unsafe - 0.8) < 1e-12)  // English: unchanged
        #expect(abs(scores[2].unsafe - 0.75) < 1e-12)  // 0.9 is halfway from 0.8 to 1, so halfway from 0.5 to 1
        #expect(abs(scores[0].values["hate"]! - 0.4) < 1e-12)  // no threshold for hate: unchanged
        for p in stride(from: 0.0, through: 1.0, by: 0.05) {
            let q = LanguageAwareClassifier.align(p, from: 0.8, to: 0.5)
            #expect(q >= 0 && q <= 1 && q <= LanguageAwareClassifier.align(min(p + 0.05, 1), from: 0.8, to: 0.5))
        }
    }

    @Test("a routed model's own shared threshold is aligned to the first model's")
    func alignsSecondModel() async throws {
        let router = try LanguageAwareClassifier(members: [
            .init(model: TableModel(modelID: "english@1")),
            .init(model: TableModel(modelID: "multi@1", operatingThresholds: ["unsafe": 0.6], table: [Self.french: 0.6]), languages: ["fr"]),
        ])
        let score = try await router.classify(ClassificationInput(text: Self.french))
        #expect(abs(score.unsafe - 0.5) < 1e-12 && score.model == "multi@1")
    }

    @Test("models of different labels, or a language routed twice, are refused with a reason")
    func refusesBadConfiguration() {
        #expect(throws: LanguageAwareClassifier.ConfigurationError.labelsDiffer(first: "a@1", other: "b@1")) {
            try LanguageAwareClassifier(members: [.init(model: TableModel(modelID: "a@1")), .init(model: TableModel(modelID: "b@1", labels: ["unsafe"]))])
        }
        #expect(throws: LanguageAwareClassifier.ConfigurationError.languageRoutedTwice("fr")) {
            try LanguageAwareClassifier(members: [
                .init(model: TableModel(modelID: "a@1")), .init(model: TableModel(modelID: "b@1"), languages: ["fr"]),
                .init(model: TableModel(modelID: "c@1"), languages: ["fr", "de"]),
            ])
        }
    }
}
