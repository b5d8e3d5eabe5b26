import Testing
@testable import WardenCore

@Suite("Core vocabulary")
struct VerdictTests {
    @Test("block beats review beats allow")
    func decisionOrder() {
        #expect([Decision.allow, .block, .review].max() == .block)
        #expect([Decision.allow, .review].max() == .review)
        #expect(Decision.allow < .review)
    }

    @Test("Llama Guard text lists codes in numeric order, then uncoded categories")
    func llamaGuardText() {
        let violations = [
            Violation(category: "hate", code: "S10", score: 0.9, threshold: 0.5, decision: .block, rule: "defaults"),
            Violation(category: "violent_crimes", code: "S1", score: 0.8, threshold: 0.5, decision: .block, rule: "defaults"),
            Violation(category: "jailbreak", code: nil, score: 0.7, threshold: 0.5, decision: .block, rule: "defaults"),
            Violation(category: "unsafe", code: nil, score: 0.9, threshold: 0.5, decision: .block, rule: "input[0]"),
        ]
        let verdict = Verdict(decision: .block, direction: .input, violations: violations, reason: "", scores: [:], policyID: "p")
        #expect(verdict.llamaGuardText == "unsafe\nS1,S10,jailbreak")
        let safe = Verdict(decision: .allow, direction: .input, violations: [], reason: "", scores: [:], policyID: "p")
        #expect(safe.llamaGuardText == "safe")
        let overallOnly = Verdict(decision: .block, direction: .input, violations: [violations[3]], reason: "", scores: [:], policyID: "p")
        #expect(overallOnly.llamaGuardText == "unsafe")
    }

    @Test("window scores pool by maximum")
    func mergeScores() {
        let a = LabelScores(["unsafe": 0.2, "hate": 0.9])
        let b = LabelScores(["unsafe": 0.6, "hate": 0.1])
        #expect(a.merged(withMaximumOf: b) == LabelScores(["unsafe": 0.6, "hate": 0.9]))
    }

    @Test("audit recording settings")
    func recording() {
        #expect(AuditRecording.flagged.records(.review))
        #expect(!AuditRecording.flagged.records(.allow))
        #expect(AuditRecording.all.records(.allow))
        #expect(!AuditRecording.none.records(.block))
    }
}
