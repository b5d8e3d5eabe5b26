import Foundation
import Testing
import WardenCore
@testable import WardenPolicy
import WardenTaxonomy

@Suite("Policy engine decisions")
struct PolicyEngineTests {
    static let rules = """
        defaults: { threshold: 0.5, decision: block }
        input:
          - { category: violent_crimes, threshold: 0.9, decision: block }
          - { category: violent_crimes, threshold: 0.6, decision: review }
          - { category: specialized_advice, threshold: 0.7, decision: review }
          - { category: contextual, threshold: 0.8, decision: block }
          - { category: unsafe, threshold: 0.95, decision: block }
        output:
          - { category: adversarial, decision: allow }
        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var direction: Direction = .input
        var scores: [String: Double]
        var decision: Decision
        /// Expected violations as `category@rule`, in verdict order.
        var violations: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "the first rule whose threshold is reached wins", scores: ["violent_crimes": 0.95],
             decision: .block, violations: ["violent_crimes@input[0]"]),
        Case(name: "score equal to the threshold fires (>=)", scores: ["violent_crimes": 0.9],
             decision: .block, violations: ["violent_crimes@input[0]"]),
        Case(name: "just below a threshold falls to the next rule", scores: ["violent_crimes": 0.8999],
             decision: .review, violations: ["violent_crimes@input[1]"]),
        Case(name: "lower tier at its boundary", scores: ["violent_crimes": 0.6],
             decision: .review, violations: ["violent_crimes@input[1]"]),
        Case(name: "a mentioned category below all its rules is allowed (defaults do not apply)",
             scores: ["violent_crimes": 0.59], decision: .allow),
        Case(name: "an unmentioned category uses defaults at the boundary", scores: ["hate": 0.5],
             decision: .block, violations: ["hate@defaults"]),
        Case(name: "an unmentioned category below defaults is allowed", scores: ["hate": 0.4999], decision: .allow),
        Case(name: "first match wins within a category even if a later rule would block",
             scores: ["specialized_advice": 0.85], decision: .review, violations: ["specialized_advice@input[2]"]),
        Case(name: "a group rule covers its members", scores: ["sexual_content": 0.8],
             decision: .block, violations: ["sexual_content@input[3]"]),
        Case(name: "a group-mentioned category below the group threshold is allowed",
             scores: ["elections": 0.79], decision: .allow),
        Case(name: "unsafe takes part only through its explicit rule", scores: ["unsafe": 0.94], decision: .allow),
        Case(name: "unsafe rule fires at its threshold", scores: ["unsafe": 0.95],
             decision: .block, violations: ["unsafe@input[4]"]),
        Case(name: "block beats review; violations ordered by decision then score",
             scores: ["violent_crimes": 0.7, "hate": 0.6, "privacy": 0.9],
             decision: .block, violations: ["privacy@defaults", "hate@defaults", "violent_crimes@input[1]"]),
        Case(name: "output rules allow adversarial labels", direction: .output, scores: ["jailbreak": 0.99], decision: .allow),
        Case(name: "input has no such rule, so defaults block jailbreak", scores: ["jailbreak": 0.99],
             decision: .block, violations: ["jailbreak@defaults"]),
        Case(name: "output uses defaults where input has tiers", direction: .output, scores: ["violent_crimes": 0.7],
             decision: .block, violations: ["violent_crimes@defaults"]),
        Case(name: "output has no unsafe rule", direction: .output, scores: ["unsafe": 0.99], decision: .allow),
        Case(name: "labels unknown to the taxonomy are ignored", scores: ["profanity": 0.99], decision: .allow),
        Case(name: "no scores, nothing fires", scores: [:], decision: .allow),
    ]

    @Test("rules, thresholds, defaults and directions", arguments: cases)
    func decide(_ testCase: Case) throws {
        let engine = try makeEngine(Self.rules)
        let item = testCase.direction == .input ? input("text") : output(response: "text")
        let verdict = engine.decide(LabelScores(testCase.scores), for: item)
        #expect(verdict.decision == testCase.decision)
        #expect(verdict.violations.map { "\($0.category)@\($0.rule)" } == testCase.violations)
        #expect(verdict.direction == testCase.direction)
        #expect(verdict.policyID == "test")
        #expect(!verdict.reason.contains("\n"))
        #expect(verdict.reason.hasPrefix(testCase.decision.rawValue + ":"))
    }

    @Test("violations carry Llama Guard codes, scores and thresholds; the verdict lists hazard scores")
    func violationDetails() throws {
        let engine = try makeEngine(Self.rules)
        let verdict = engine.decide(LabelScores(["violent_crimes": 0.92, "hate": 0.55, "unsafe": 0.3, "jailbreak": 0.1]), for: input("x"))
        let first = try #require(verdict.violations.first)
        #expect(first.code == "S1" && first.threshold == 0.9 && first.score == 0.92 && first.decision == .block)
        #expect(verdict.llamaGuardText == "unsafe\nS1,S10")
        #expect(verdict.scores == ["violent_crimes": 0.92, "hate": 0.55, "unsafe": 0.3, "jailbreak": 0.1])
        #expect(verdict.reason.contains("violent_crimes (S1) 0.92 >= 0.9 (input[0] block)"))
    }

    @Test("when only the overall label fires, no category code is borrowed from scores under their thresholds")
    func overallLabelBorrowsNoCode() throws {
        let engine = try makeEngine(Self.rules)
        let verdict = engine.decide(
            LabelScores(["unsafe": 0.97, "violent_crimes": 0.2, "hate": 0.4, "jailbreak": 0.45]), for: input("x"))
        #expect(verdict.decision == .block)
        #expect(verdict.violations.map(\.category.rawValue) == ["unsafe"])
        #expect(verdict.violations.first?.code == nil)
        #expect(verdict.llamaGuardCodes.isEmpty)
        #expect(verdict.llamaGuardText == "unsafe")
    }

    @Test("a hazard fed by several model labels takes their maximum")
    func labelMapping() throws {
        let taxonomy = try HazardTaxonomy(id: "mlcommons-v1", groups: [HazardGroup(id: "g", name: "G")], categories: [
            HazardCategory(id: "violence", name: "Violence", description: "d", llamaGuardCode: "S1",
                           modelLabels: ["violence_text", "violence_image"], group: "g"),
        ])
        let policy = try PolicyLoader.load(
            data: Data("id: p\ntaxonomy: mlcommons-v1\n".utf8), file: "p.yaml", taxonomy: taxonomy)
        let engine = PolicyEngine(policy: policy, taxonomy: taxonomy)
        let verdict = engine.decide(LabelScores(["violence_text": 0.2, "violence_image": 0.7]), for: input("x"))
        #expect(verdict.decision == .block)
        #expect(verdict.violations.first?.score == 0.7)
        #expect(verdict.scores == ["violence": 0.7])
    }

    @Test("fail modes follow on_error", arguments: [("block", Decision.block), ("allow", Decision.allow)])
    func failure(mode: String, expected: Decision) throws {
        let engine = try makeEngine("on_error: \(mode)\n")
        let verdict = engine.failure(ClassifierError.timedOut(milliseconds: 250), for: input("x"))
        #expect(verdict.decision == expected)
        #expect(verdict.violations.isEmpty)
        #expect(verdict.reason.contains("250 ms"))
        #expect(verdict.reason.contains(expected == .block ? "fails closed" : "fails open"))
    }

    @Test("on_error defaults to block (fail closed)")
    func failClosedByDefault() throws {
        let engine = try makeEngine("")
        #expect(engine.failure(ClassifierError.emptyResult, for: input("x")).decision == .block)
        #expect(engine.policy.defaults == PolicyDefaults(threshold: 0.5, decision: .block))
    }

    @Test("explain traces the candidate rules and the rule that fired")
    func explain() throws {
        let engine = try makeEngine(Self.rules)
        let traces = engine.explain(LabelScores(["violent_crimes": 0.7, "hate": 0.2]), direction: .input)
        let violent = try #require(traces.first { $0.category == "violent_crimes" })
        #expect(violent.rules.map(\.location) == ["input[0]", "input[1]"])
        #expect(violent.firedRule?.location == "input[1]")
        let hate = try #require(traces.first { $0.category == "hate" })
        #expect(hate.rules.map(\.location) == ["defaults"] && hate.firedRule == nil && hate.decision == .allow)
    }
}
