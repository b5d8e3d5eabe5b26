import Foundation
import Testing
import WardenCore
@testable import WardenPolicy
import WardenTaxonomy
import WardenTesting

@Suite("Policy loader validation")
struct PolicyLoaderTests {
    static let valid = """
        id: sample
        taxonomy: mlcommons-v1
        defaults: { threshold: 0.5, decision: block }
        input:
          - { category: S1, threshold: 0.8, decision: block }
          - { category: [hate, harassment], threshold: 0.6, decision: review }
          - { category: physical, threshold: 0.4, decision: block }
        output:
          - { category: adversarial, decision: allow }
        deny_list:
          - { phrase: forbidden words, reason: test }
        custom_categories:
          - { id: thing, description: d, examples: [a, b], counter_examples: [c, d], neighbors: 3 }
        on_error: allow
        audit: { record: all, store_text: hash, retention_days: 7 }
        limits: { max_input_chars: 1000, max_input_tokens: 256 }
        """

    @Test("a valid policy loads with every section")
    func loadsValid() throws {
        let policy = try PolicyLoader.load(data: Data(Self.valid.utf8), file: "sample.yaml", taxonomy: shippedTaxonomy)
        #expect(policy.id == "sample" && policy.taxonomyID == "mlcommons-v1")
        #expect(policy.input.map(\.location) == ["input[0]", "input[1]", "input[2]"])
        #expect(policy.input[0].categories == ["violent_crimes"])
        #expect(policy.input[1].categories == ["hate", "harassment"])
        #expect(Set(policy.input[2].categories) == Set(shippedTaxonomy.members(ofGroup: "physical")))
        #expect(policy.output[0].threshold == 0.5, "a rule without threshold takes the default threshold")
        #expect(policy.onError == .allow)
        #expect(policy.audit == AuditSettings(record: .all, storeText: .hash, retentionDays: 7))
        #expect(policy.limits == Limits(maxInputCharacters: 1000, maxInputTokens: 256))
        #expect(policy.customCategories.first?.label == "custom:thing")
        #expect(policy.customCategories.first?.directions == [.input, .output])
        #expect(policy.customCategories.first?.neighbors == 3)
        #expect(policy.source == "sample.yaml")
    }

    @Test("the content hash is the SHA-256 of the file's bytes")
    func contentHash() throws {
        let text = "id: p\ntaxonomy: mlcommons-v1\n"
        let policy = try PolicyLoader.load(data: Data(text.utf8), file: "p.yaml", taxonomy: shippedTaxonomy)
        // printf 'id: p\ntaxonomy: mlcommons-v1\n' | sha256sum
        #expect(policy.contentHash == "eb3aa3b886ad26d1e42e19e736036103602d43ea1a1f4492a92f9b2c447b8e6f")
        let other = try PolicyLoader.load(data: Data((text + "# comment\n").utf8), file: "p.yaml", taxonomy: shippedTaxonomy)
        #expect(other.contentHash != policy.contentHash)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var replace: String
        var with: String
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "threshold above 1", replace: "threshold: 0.4, decision: block", with: "threshold: 1.5, decision: block",
             expected: "Policies/x.yaml: input[2].threshold: 1.5 is outside [0, 1] (line 7)"),
        Case(name: "negative threshold", replace: "defaults: { threshold: 0.5", with: "defaults: { threshold: -0.1",
             expected: "Policies/x.yaml: defaults.threshold: -0.1 is outside [0, 1]"),
        Case(name: "threshold that is not a number", replace: "threshold: 0.8", with: "threshold: high",
             expected: "input[0].threshold: expected a number in [0, 1] or `model` (the model's operating threshold), found 'high'"),
        Case(name: "unknown category with suggestion", replace: "[hate, harassment]", with: "[hate, harrassment]",
             expected: "input[1].category: unknown category or group 'harrassment' (did you mean 'harassment'?)"),
        Case(name: "unknown group", replace: "category: physical", with: "category: physicl",
             expected: "input[2].category: unknown category or group 'physicl' (did you mean 'physical'?)"),
        Case(name: "typo in a rule key", replace: "threshold: 0.8", with: "treshold: 0.8",
             expected: "input[0].treshold: unknown key (did you mean 'threshold'?)"),
        Case(name: "typo in a root key", replace: "on_error: allow", with: "on_eror: allow",
             expected: "Policies/x.yaml: on_eror: unknown key (did you mean 'on_error'?)"),
        Case(name: "typo in audit", replace: "store_text: hash", with: "storetext: hash",
             expected: "audit.storetext: unknown key (did you mean 'store_text'?)"),
        Case(name: "unknown decision", replace: "decision: review }", with: "decision: flag }",
             expected: "input[1].decision: 'flag' is not one of allow, review, block"),
        Case(name: "on_error review is not a fail mode", replace: "on_error: allow", with: "on_error: review",
             expected: "on_error: 'review' is not one of block, allow"),
        Case(name: "missing decision", replace: "{ category: S1, threshold: 0.8, decision: block }", with: "{ category: S1, threshold: 0.8 }",
             expected: "input[0]: missing required key 'decision'"),
        Case(name: "unreachable rule", replace: "  - { category: physical, threshold: 0.4, decision: block }",
             with: "  - { category: physical, threshold: 0.4, decision: block }\n  - { category: violent_crimes, threshold: 0.9, decision: review }",
             expected: "input[3]: unreachable rule: every category it names is decided first by an earlier rule"),
        Case(name: "invalid regex", replace: "{ phrase: forbidden words, reason: test }", with: "{ regex: \"(unclosed\", reason: test }",
             expected: "deny_list[0].regex: invalid regular expression '(unclosed'"),
        Case(name: "list entry with phrase and regex", replace: "{ phrase: forbidden words, reason: test }",
             with: "{ phrase: a, regex: b, reason: test }", expected: "deny_list[0]: needs exactly one of 'phrase' or 'regex'"),
        Case(name: "list entry without reason", replace: "{ phrase: forbidden words, reason: test }", with: "{ phrase: a }",
             expected: "deny_list[0]: missing required key 'reason'"),
        Case(name: "taxonomy mismatch", replace: "taxonomy: mlcommons-v1", with: "taxonomy: other-v2",
             expected: "taxonomy: 'other-v2' does not match the taxonomy in use ('mlcommons-v1')"),
        Case(name: "custom category with one example", replace: "examples: [a, b], counter", with: "examples: [a], counter",
             expected: "custom_categories[0].examples: needs at least 2 texts, found 1"),
        Case(name: "custom category clashing with a hazard", replace: "{ id: thing,", with: "{ id: hate,",
             expected: "custom_categories[0].id: 'hate' is already a category or group"),
        Case(name: "rule naming a custom category", replace: "category: [hate, harassment]", with: "category: [hate, thing]",
             expected: "input[1].category: 'thing' is a custom category"),
        Case(name: "limit that is not positive", replace: "max_input_chars: 1000", with: "max_input_chars: 0",
             expected: "limits.max_input_chars: must be a positive whole number, found 0"),
    ]

    @Test("invalid policies are rejected with file and key path", arguments: cases)
    func rejects(_ testCase: Case) {
        let text = Self.valid.replacingOccurrences(of: testCase.replace, with: testCase.with)
        #expect(text != Self.valid, "the case must change the fixture")
        do {
            _ = try PolicyLoader.load(data: Data(text.utf8), file: "Policies/x.yaml", taxonomy: shippedTaxonomy)
            Issue.record("expected \(testCase.name) to be rejected")
        } catch {
            #expect(error.description.contains(testCase.expected), "\(error.description)")
        }
    }

    @Test("all problems of a file are reported together")
    func collectsAll() {
        let text = Self.valid
            .replacingOccurrences(of: "threshold: 0.8", with: "threshold: 2")
            .replacingOccurrences(of: "on_error: allow", with: "on_error: maybe")
            .replacingOccurrences(of: "[hate, harassment]", with: "[hat]")
        do {
            _ = try PolicyLoader.load(data: Data(text.utf8), file: "x.yaml", taxonomy: shippedTaxonomy)
            Issue.record("expected errors")
        } catch {
            #expect(error.issues.count == 3, "\(error.issues)")
        }
    }

    @Test("unknown keys, and every bad field of a section or rule, are reported in the same run")
    func collectsWithinSections() {
        let text = """
            id: bad
            taxonomy: mlcommons-v1
            defaults: { threshold: 2, decision: blok }
            input:
              - { category: S1, threshold: -1, decison: block, decision: stop }
            on_error: maybe
            audit: { record: sometimes, store_text: all }
            limits: { max_input_chars: -5 }
            extra_key: 1

            """
        do {
            _ = try PolicyLoader.load(data: Data(text.utf8), file: "bad.yaml", taxonomy: shippedTaxonomy)
            Issue.record("expected errors")
        } catch {
            let issues = error.issues.joined(separator: "\n")
            // extra_key, defaults.threshold, defaults.decision, input[0].decison, input[0].threshold,
            // input[0].decision, on_error, audit.record, audit.store_text, limits.max_input_chars.
            #expect(error.issues.count == 10, "\(issues)")
            for key in ["extra_key", "defaults.threshold", "defaults.decision", "input[0].decison", "input[0].threshold",
                        "input[0].decision", "on_error", "audit.record", "audit.store_text", "limits.max_input_chars"] {
                #expect(issues.contains(key), "\(key) not reported")
            }
        }
    }

    @Test("a later rule with a lower threshold stays reachable (tiers)")
    func tiersAreReachable() throws {
        let policy = try makePolicy("""
            input:
              - { category: S1, threshold: 0.9, decision: block }
              - { category: S1, threshold: 0.5, decision: review }
              - { category: [S1, S2], threshold: 0.95, decision: block }
            """)
        #expect(policy.input.count == 3)
    }
}

@Suite("Shipped policy files")
struct ShippedPolicyTests {
    static let files: [URL] = {
        let folder = repositoryRoot.appendingPathComponent("Policies")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }()

    @Test("the four shipped policies are present")
    func present() {
        #expect(Set(Self.files.map(\.lastPathComponent)).isSuperset(of: ["default.yaml", "strict.yaml", "permissive.yaml", "medical-dosing.yaml"]))
    }

    @Test("every shipped policy loads and validates against the shipped taxonomy", arguments: files)
    func loads(_ url: URL) throws {
        let policy = try PolicyLoader.load(from: url, taxonomy: shippedTaxonomy)
        #expect(policy.id == url.deletingPathExtension().lastPathComponent, "the ID matches the file name")
        #expect(policy.contentHash.count == 64)
    }

    @Test("the policies behave as documented")
    func behaviour() throws {
        func engine(_ name: String) throws -> PolicyEngine {
            PolicyEngine(policy: try PolicyLoader.load(from: repositoryRoot.appendingPathComponent("Policies/\(name).yaml"), taxonomy: shippedTaxonomy),
                         taxonomy: shippedTaxonomy)
        }
        let item = input("x")
        let standard = try engine("default"), strict = try engine("strict"), permissive = try engine("permissive")
        // Llama Guard behaviour: every category blocks at 0.5, and so does the overall label.
        for category in shippedTaxonomy.categories {
            #expect(standard.decide(LabelScores([category.id.rawValue: 0.5]), for: item).decision == .block, "\(category.id)")
            #expect(standard.decide(LabelScores([category.id.rawValue: 0.49]), for: item).decision == .allow)
        }
        #expect(standard.decide(LabelScores(["unsafe": 0.5]), for: item).decision == .block)
        // Strict: sexual content and self-harm are caught far below 0.5.
        #expect(strict.decide(LabelScores(["sexual_content": 0.16]), for: item).decision == .block)
        #expect(strict.decide(LabelScores(["suicide_self_harm": 0.12]), for: item).decision == .review)
        #expect(strict.decide(LabelScores(["hate": 0.3]), for: item).decision == .block)
        #expect(strict.policy.audit.storeText == .hash)
        // Permissive: only the most severe hazards block; the rest go to review.
        #expect(permissive.decide(LabelScores(["child_sexual_exploitation": 0.3]), for: item).decision == .block)
        #expect(permissive.decide(LabelScores(["indiscriminate_weapons": 0.3]), for: item).decision == .block)
        #expect(permissive.decide(LabelScores(["violent_crimes": 0.85]), for: item).decision == .block)
        #expect(permissive.decide(LabelScores(["violent_crimes": 0.6]), for: item).decision == .review)
        #expect(permissive.decide(LabelScores(["hate": 0.99, "sexual_content": 0.99]), for: item).decision == .review)
        #expect(permissive.decide(LabelScores(["violent_crimes": 0.6]), for: output(response: "x")).decision == .review)
    }
}
