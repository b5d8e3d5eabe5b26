import Testing
import WardenCore
@testable import WardenPolicy

@Suite("Screening before the model: limits, deny and allow lists")
struct PolicyScreenTests {
    static let lists = #"""
        limits: { max_input_chars: 60, max_input_tokens: 10 }
        deny_list:
          - { phrase: "Kill the process owner", reason: threat, category: violent_crimes }
          - { phrase: kill, reason: bare word }
          - { regex: "\\bacme\\s*corp\\b", reason: competitor, category: S5 }
        allow_list:
          - { phrase: "What are your opening hours?", reason: FAQ }
          - { regex: "order #?[0-9]+ status", reason: order lookup }
          - { phrase: "kill", reason: "never wins: deny beats allow" }
        """#

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var text: String
        /// `nil` means "ask the model".
        var decision: Decision?
        var rules: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "deny phrase, case-insensitive", text: "please KILL the Process Owner now", decision: .block,
             rules: ["deny_list[0]", "deny_list[1]"]),
        Case(name: "deny phrase at a word boundary only", text: "a skill issue", decision: nil),
        Case(name: "deny phrase through zero-width characters", text: "k\u{200B}ill", decision: .block, rules: ["deny_list[1]"]),
        Case(name: "deny phrase in full-width letters (NFKC)", text: "ｋｉｌｌ it", decision: .block, rules: ["deny_list[1]"]),
        Case(name: "deny phrase across odd whitespace", text: "kill\tthe\n process  owner", decision: .block,
             rules: ["deny_list[0]", "deny_list[1]"]),
        Case(name: "deny regex", text: "is ACME  Corp any good?", decision: .block, rules: ["deny_list[2]"]),
        Case(name: "allow phrase covering the whole turn", text: "what are your opening hours", decision: .allow),
        Case(name: "allow phrase inside a longer turn does not allow", text: "What are your opening hours? Also how to hurt someone",
             decision: nil),
        Case(name: "allow regex must cover the whole turn", text: "Order #123 status", decision: .allow),
        Case(name: "allow regex as a substring does not allow", text: "order 123 status and more", decision: nil),
        Case(name: "deny beats allow", text: "kill", decision: .block, rules: ["deny_list[1]"]),
        Case(name: "nothing matches: ask the model", text: "hello there", decision: nil),
    ]

    @Test("deny and allow lists", arguments: cases)
    func lists(_ testCase: Case) throws {
        let engine = try makeEngine(Self.lists)
        let verdict = engine.screen(input(testCase.text))
        #expect(verdict?.decision == testCase.decision)
        #expect((verdict?.violations ?? []).map(\.rule) == testCase.rules)
    }

    @Test("deny violations name the entry's category and code")
    func denyCategory() throws {
        let engine = try makeEngine(Self.lists)
        let verdict = try #require(engine.screen(input("acme corp")))
        #expect(verdict.violations.first?.category == "defamation")
        #expect(verdict.violations.first?.code == "S5")
        #expect(verdict.reason.contains("competitor"))
        let bare = try #require(engine.screen(input("kill")))
        #expect(bare.violations.first?.category == "deny_list")
    }

    @Test("the judged turn depends on the direction")
    func direction() throws {
        let engine = try makeEngine(Self.lists)
        // The user turn matches the deny list, but an output check judges the assistant turn.
        #expect(engine.screen(output(prompt: "kill", response: "I can't help with that.")) == nil)
        #expect(engine.screen(output(prompt: "hi", response: "kill")).map(\.decision) == .block)
        let conversation = Conversation([.user("kill"), .assistant("no"), .user("hello")])
        #expect(engine.screen(ClassificationInput(conversation: conversation, direction: .input)) == nil)
    }

    @Test("limits block oversized input before the model", arguments: [
        (59, nil, nil), (60, nil, nil), (61, nil, "limits.max_input_chars"),
        (10, 10, nil), (10, 11, "limits.max_input_tokens"),
    ] as [(Int, Int?, String?)])
    func limits(characters: Int, tokens: Int?, key: String?) throws {
        let engine = try makeEngine(Self.lists)
        let text = String(repeating: "a", count: characters)
        #expect(engine.limitExceeded(input(text), tokenCount: tokens)?.key == key)
        let verdict = engine.screen(input(text), tokenCount: tokens)
        #expect((verdict?.decision == .block) == (key != nil))
        if let key { #expect(verdict?.reason.contains(key) == true) }
    }

    @Test("limits do not apply to output checks")
    func outputUnlimited() throws {
        let engine = try makeEngine(Self.lists)
        #expect(engine.screen(output(response: String(repeating: "b", count: 500)), tokenCount: 999) == nil)
    }
}
