import Foundation
import Testing
import WardenCore
@testable import WardenTaxonomy
import WardenConfig

@Suite("Taxonomy loader validation")
struct TaxonomyLoaderTests {
    /// A valid two-category file; each error case edits one spot of it.
    static let valid = """
        id: t
        groups:
          - { id: physical, name: Physical }
        categories:
          - id: violence
            name: Violence
            group: physical
            aliases: { llama_guard: S1, openai: [violence] }
            model_labels: [violence]
            description: Hurting people.
          - id: weapons
            name: Weapons
            group: physical
            aliases: { llama_guard: S9 }
            model_labels: [weapons]
            description: Mass-casualty weapons.
        """

    @Test("the valid fixture loads")
    func validLoads() throws {
        let taxonomy = try TaxonomyLoader.load(text: Self.valid, file: "t.yaml")
        #expect(taxonomy.categories.map(\.id) == ["violence", "weapons"])
        #expect(taxonomy.resolve("S9") == "weapons")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var replace: String
        var with: String
        /// Each must appear in the error text.
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "duplicate ID", replace: "  - id: weapons", with: "  - id: violence",
             expected: ["t.yaml: categories[1].id: duplicate category ID 'violence'"]),
        Case(name: "duplicate Llama Guard alias", replace: "llama_guard: S9", with: "llama_guard: S1",
             expected: ["categories[1].aliases.llama_guard: duplicate alias 'S1'"]),
        Case(name: "duplicate OpenAI alias", replace: "aliases: { llama_guard: S9 }", with: "aliases: { llama_guard: S9, openai: [violence] }",
             expected: ["categories[1].aliases.openai: duplicate alias 'violence'"]),
        Case(name: "unknown OpenAI name", replace: "openai: [violence]", with: "openai: [violense]",
             expected: ["categories[0].aliases.openai: unknown OpenAI moderation category 'violense' (did you mean 'violence'?)"]),
        Case(name: "malformed Llama Guard code", replace: "llama_guard: S9", with: "llama_guard: X9",
             expected: ["categories[1].aliases.llama_guard: 'X9' is not a Llama Guard code"]),
        Case(name: "unknown group", replace: "    group: physical\n    aliases: { llama_guard: S9 }", with: "    group: physcal\n    aliases: { llama_guard: S9 }",
             expected: ["categories[1].group: unknown group 'physcal' (did you mean 'physical'?)"]),
        Case(name: "missing field", replace: "\n    description: Mass-casualty weapons.", with: "",
             expected: ["t.yaml: categories[1]: missing required key 'description'"]),
        Case(name: "unknown key with suggestion", replace: "model_labels: [weapons]", with: "modle_labels: [weapons]",
             expected: ["categories[1].modle_labels: unknown key (did you mean 'model_labels'?)"]),
        Case(name: "unknown alias kind", replace: "llama_guard: S9", with: "llamaguard: S9",
             expected: ["categories[1].aliases.llamaguard: unknown key (did you mean 'llama_guard'?)"]),
        Case(name: "reserved ID", replace: "  - id: weapons", with: "  - id: unsafe",
             expected: ["categories[1].id: 'unsafe' is reserved"]),
        Case(name: "non snake_case ID", replace: "  - id: weapons", with: "  - id: Weapons-X",
             expected: ["categories[1].id: 'Weapons-X' is not a snake_case ID"]),
        Case(name: "category ID equal to a group ID", replace: "  - id: weapons", with: "  - id: physical",
             expected: ["categories[1].id: 'physical' is also a group ID"]),
        Case(name: "reserved model label", replace: "model_labels: [weapons]", with: "model_labels: [unsafe]",
             expected: ["categories[1].model_labels: 'unsafe' is reserved"]),
        Case(name: "empty model labels", replace: "model_labels: [weapons]", with: "model_labels: []",
             expected: ["categories[1].model_labels: must name at least one model label"]),
        Case(name: "invalid YAML", replace: "groups:", with: "groups: [",
             expected: ["t.yaml: is not valid YAML"]),
        Case(name: "unknown root key", replace: "id: t\n", with: "id: t\nversoin: 2\n",
             expected: ["t.yaml: versoin: unknown key (did you mean 'version'?)"]),
    ]

    @Test("invalid files are rejected with the file and key path", arguments: cases)
    func rejects(_ testCase: Case) {
        let text = Self.valid.replacingOccurrences(of: testCase.replace, with: testCase.with)
        #expect(text != Self.valid, "the case must change the fixture")
        do {
            _ = try TaxonomyLoader.load(text: text, file: "t.yaml")
            Issue.record("expected \(testCase.name) to be rejected")
        } catch {
            for expected in testCase.expected {
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
    }

    @Test("independent problems are all reported in one pass, with lines")
    func reportsAll() throws {
        let text = Self.valid
            .replacingOccurrences(of: "llama_guard: S9", with: "llama_guard: S1")
            .replacingOccurrences(of: "openai: [violence]", with: "openai: [violense]")
        do {
            _ = try TaxonomyLoader.load(text: text, file: "t.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.count == 2)
            #expect(error.issues.allSatisfy { $0.line != nil })
            let lines = error.issues.compactMap(\.line)
            #expect(lines.contains(8), "the OpenAI alias is on line 8: \(lines)")
        }
    }

    @Test("an unreadable file names the path")
    func unreadable() {
        do {
            _ = try TaxonomyLoader.load(from: URL(fileURLWithPath: "/nonexistent/tax.yaml"))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/tax.yaml: cannot read"))
        }
    }

    @Test("edit distance and suggestions", arguments: [
        ("treshold", "threshold"), ("decison", "decision"), ("catgory", "category"),
    ])
    func suggestions(typo: String, expected: String) {
        #expect(ConfigurationIssue.closest(to: typo, in: ["threshold", "decision", "category"]) == expected)
        #expect(ConfigurationIssue.closest(to: "zzzzzzzzzz", in: ["threshold", "decision", "category"]) == nil)
    }
}
