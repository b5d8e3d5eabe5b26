import Foundation
import WardenEval
import Testing
import WardenCore
@testable import WardenPolicy
import WardenTesting

@Suite("Custom categories scored by embeddings")
struct CustomCategoryTests {
    /// Examples lie near the x axis, counter-examples near the y axis; test texts are placed so the
    /// expected outcome follows from the geometry alone.
    static let table: [String: [Float]] = [
        "ex1": [1, 0.1, 0], "ex2": [1, -0.1, 0.05], "ex3": [0.95, 0, -0.1],
        "ce1": [0.1, 1, 0], "ce2": [-0.1, 1, 0.1], "ce3": [0, 0.9, -0.1],
        "near positive": [1, 0.05, 0], "far positive": [0.9, 0.2, 0.1],
        "near negative": [0.05, 1, 0], "far negative": [0.2, 0.9, 0.1],
        "missed positive": [0.1, 1, 0.05], "false alarm": [1, 0, 0.02],
    ]

    static let category = CustomCategory(
        id: "thing", description: "d", examples: ["ex1", "ex2", "ex3"], counterExamples: ["ce1", "ce2", "ce3"],
        threshold: 0.5, decision: .review
    )

    @Test("texts near the examples score high, texts near the counter-examples low")
    func scores() async throws {
        let scorer = CustomCategoryScorer(embedder: TableEmbedder(Self.table))
        let texts = ["near positive", "far positive", "near negative", "far negative"]
        let result = try await scorer.scores(for: texts, categories: [Self.category])
        let values = result.map { $0["custom:thing"] ?? -1 }
        #expect(values[0] > 0.5 && values[1] > 0.5)
        #expect(values[2] < 0.5 && values[3] < 0.5)
        #expect(values[0] >= values[1] && values[2] <= values[3], "closer to the examples scores higher")
        #expect(values.allSatisfy { $0 > 0 && $0 < 1 }, "Platt targets keep probabilities off 0 and 1")
    }

    @Test("averaging several neighbours damps a single counter-example that happens to be close")
    func neighbours() async throws {
        let table: [String: [Float]] = [
            "ex1": [1, 0.1, 0], "ex2": [1, -0.1, 0], "ex3": [1, 0, 0.1],
            "ce1": [0, 1, 0], "ce2": [0, 1, 0.1], "odd counter": [0.9, 0, 0.45],
            "text": [1, 0, 0.4],
        ]
        func score(neighbors: Int) async throws -> Double {
            let category = CustomCategory(id: "thing", description: "d", examples: ["ex1", "ex2", "ex3"],
                                          counterExamples: ["ce1", "ce2", "odd counter"], neighbors: neighbors)
            let prepared = try await CustomCategoryScorer(embedder: TableEmbedder(table)).prepare(category)
            return prepared.margin(for: try await TableEmbedder(table).embed(["text"])[0])
        }
        let single = try await score(neighbors: 1)
        let averaged = try await score(neighbors: 3)
        #expect(single < 0, "the odd counter-example is the single nearest neighbour")
        #expect(averaged > 0, "on average the text is closer to the examples")
    }

    @Test("example embeddings are computed once per category")
    func caches() async throws {
        let embedder = TableEmbedder(Self.table)
        let scorer = CustomCategoryScorer(embedder: embedder)
        _ = try await scorer.scores(for: ["near positive"], categories: [Self.category])
        _ = try await scorer.scores(for: ["near negative"], categories: [Self.category])
        #expect(embedder.calls == 3, "one call for the examples, one per scoring batch")
    }

    @Test("scores flow into decide under custom:<id>, with the category's own threshold and decision")
    func decide() async throws {
        let engine = try makeEngine("""
            custom_categories:
              - id: thing
                description: d
                examples: [ex1, ex2, ex3]
                counter_examples: [ce1, ce2, ce3]
                threshold: 0.5
                decision: review
                directions: [input]
            """)
        let scorer = CustomCategoryScorer(embedder: TableEmbedder(Self.table))
        let scored = try await scorer.scores(for: ["near positive", "near negative"], categories: engine.customCategories)
        let positive = engine.decide(LabelScores(scored[0]), for: input("near positive"))
        #expect(positive.decision == .review)
        #expect(positive.violations.map(\.rule) == ["custom_categories[0]"])
        #expect(positive.violations.first?.category == "custom:thing")
        #expect(positive.llamaGuardText == "unsafe\ncustom:thing")
        #expect(engine.decide(LabelScores(scored[1]), for: input("near negative")).decision == .allow)
        // The category is limited to input checks.
        #expect(engine.decide(LabelScores(scored[0]), for: output(response: "near positive")).decision == .allow)
    }

    @Test("evaluate counts hits at the threshold")
    func evaluate() async throws {
        let scorer = CustomCategoryScorer(embedder: TableEmbedder(Self.table))
        let items = [
            LabelledText(text: "near positive", positive: true), LabelledText(text: "far positive", positive: true),
            LabelledText(text: "missed positive", positive: true), LabelledText(text: "false alarm", positive: false),
            LabelledText(text: "near negative", positive: false), LabelledText(text: "far negative", positive: false),
        ]
        let result = try await scorer.evaluate(items, category: Self.category)
        #expect(result.truePositives == 2 && result.falseNegatives == 1)
        #expect(result.falsePositives == 1 && result.trueNegatives == 2)
        #expect(result.precision == 2.0 / 3.0)
        #expect(result.recall == 2.0 / 3.0)
        #expect(result.scores.count == items.count)
    }

    @Test("precision and recall are undefined without predictions or positives")
    func undefinedMetrics() {
        let empty = CustomCategoryEvaluation(categoryID: "x", threshold: 0.5, truePositives: 0, falsePositives: 0,
                                             trueNegatives: 3, falseNegatives: 0, scores: [])
        #expect(empty.precision == nil && empty.recall == nil && empty.f1 == nil)
    }

    @Test("an embedder returning the wrong number of vectors is an error")
    func wrongCount() async {
        struct Short: TextEmbedder {
            let dimension = 2
            func embed(_ texts: [String]) async throws -> [[Float]] { [[1, 0]] }
        }
        await #expect(throws: CustomCategoryError.self) {
            _ = try await CustomCategoryScorer(embedder: Short()).scores(for: ["a"], categories: [Self.category])
        }
    }

    @Test("the shipped medical-dosing examples load, are balanced and do not repeat the policy's examples")
    func shippedExamples() async throws {
        let items = try LabelledText.load(from: repositoryRoot.appendingPathComponent("Policies/examples/medical-dosing.jsonl"))
        #expect(items.count == 40)
        #expect(items.filter(\.positive).count == 20)
        let policy = try PolicyLoader.load(from: repositoryRoot.appendingPathComponent("Policies/medical-dosing.yaml"), taxonomy: shippedTaxonomy)
        let category = try #require(policy.customCategories.first)
        let training = Set(category.examples + category.counterExamples)
        #expect(items.allSatisfy { !training.contains($0.text) })
        // With a crude bag-of-words embedder the numbers mean little; this checks the pipeline end to end.
        let result = try await CustomCategoryScorer(embedder: BagOfWordsEmbedder()).evaluate(items, category: category)
        #expect(result.truePositives + result.falseNegatives == 20)
        #expect(result.falsePositives + result.trueNegatives == 20)
    }
}

@Suite("Logistic calibration")
struct PlattCalibrationTests {
    @Test("on overlapping data the fit is a stationary point of the Platt-target cross-entropy")
    func stationary() {
        let margins = [-0.4, -0.2, -0.1, 0.05, 0.1, -0.05, 0.2, 0.3, 0.35, 0.0]
        let labels = [false, false, false, false, true, true, true, true, true, false]
        let fit = PlattCalibration.fit(margins: margins, labels: labels)
        let positives = Double(labels.filter { $0 }.count), negatives = Double(labels.count) - positives
        var gradient = (0.0, 0.0)
        for (margin, label) in zip(margins, labels) {
            let target = label ? (positives + 1) / (positives + 2) : 1 / (negatives + 2)
            let error = fit.probability(margin) - target
            gradient.0 += error * margin
            gradient.1 += error
        }
        #expect(abs(gradient.0) < 1e-4 && abs(gradient.1) < 1e-4)
        #expect(fit.scale > 0)
    }

    @Test("separable data gives a finite, increasing curve")
    func separable() {
        let fit = PlattCalibration.fit(margins: [-0.3, -0.2, 0.2, 0.3], labels: [false, false, true, true])
        #expect(fit.scale.isFinite && fit.scale > 0)
        #expect(fit.probability(0.3) < 1 && fit.probability(-0.3) > 0)
        #expect(fit.probability(0.25) > 0.5 && fit.probability(-0.25) < 0.5)
    }

    @Test("identical margins fall back to the prior")
    func degenerate() {
        let fit = PlattCalibration.fit(margins: [0.1, 0.1, 0.1], labels: [true, true, false])
        #expect(fit.probability(0.1) > 0.5 && fit.probability(0.1) < 1)
    }
}
