import Testing
import WardenCore
@testable import WardenPolicy
import WardenTesting

@Suite("threshold: model uses the bundle's operating thresholds")
struct ModelThresholdTests {
    static let body = """
        defaults: { threshold: model, decision: block }
        input:
          - { category: unsafe, threshold: model, decision: block }
          - { category: violent_crimes, threshold: 0.9, decision: block }
        """

    @Test("rules and defaults fire at the model's threshold of each label")
    func modelThresholds() throws {
        let policy = try makePolicy(Self.body)
        let engine = PolicyEngine(policy: policy, taxonomy: shippedTaxonomy, modelThresholds: ["unsafe": 0.3, "hate": 0.7])
        let unsafe = engine.decide(LabelScores(["unsafe": 0.35]), for: input("x"))
        #expect(unsafe.decision == .block)
        #expect(unsafe.violations.first?.threshold == 0.3)
        #expect(engine.decide(LabelScores(["unsafe": 0.25]), for: input("x")).decision == .allow)
        // hate falls to the defaults, which use the model's 0.7 for it.
        #expect(engine.decide(LabelScores(["hate": 0.65]), for: input("x")).decision == .allow)
        #expect(engine.decide(LabelScores(["hate": 0.7]), for: input("x")).decision == .block)
        // A number in the file wins over the model.
        #expect(engine.decide(LabelScores(["violent_crimes": 0.8]), for: input("x")).decision == .allow)
    }

    @Test("without model thresholds, `model` falls back to 0.5")
    func fallback() throws {
        let engine = PolicyEngine(policy: try makePolicy(Self.body), taxonomy: shippedTaxonomy)
        #expect(engine.decide(LabelScores(["unsafe": 0.49]), for: input("x")).decision == .allow)
        #expect(engine.decide(LabelScores(["unsafe": 0.5]), for: input("x")).decision == .block)
    }

    @Test("a word other than `model` is an error naming both choices")
    func badWord() {
        do {
            _ = try makePolicy("defaults: { threshold: modle, decision: block }\n")
            Issue.record("a misspelt threshold must not load")
        } catch {
            #expect("\(error)".contains("`model`"))
            #expect("\(error)".contains("defaults.threshold"))
        }
    }

    @Test("the shipped default policy uses the model's thresholds")
    func shippedDefault() throws {
        let policy = try PolicyLoader.load(from: repositoryRoot.appendingPathComponent("Policies/default.yaml"), taxonomy: shippedTaxonomy)
        #expect(policy.defaults.usesModelThreshold)
        let allModel = policy.input.allSatisfy { $0.usesModelThreshold }
        #expect(allModel)
    }
}
