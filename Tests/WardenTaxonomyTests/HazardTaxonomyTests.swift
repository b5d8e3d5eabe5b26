import Testing
import WardenCore
@testable import WardenTaxonomy

@Suite("Hazard taxonomy lookups")
struct HazardTaxonomyTests {
    static let taxonomy = try! HazardTaxonomy(
        id: "test",
        groups: [HazardGroup(id: "physical", name: "Physical"), HazardGroup(id: "speech", name: "Speech")],
        categories: [
            HazardCategory(id: "violence", name: "Violence", description: "d", llamaGuardCode: "S1",
                           openAINames: ["violence", "violence/graphic"], modelLabels: ["violence", "gore"], group: "physical"),
            HazardCategory(id: "hate", name: "Hate", description: "d", llamaGuardCode: "S10", openAINames: ["hate"], group: "speech"),
            HazardCategory(id: "insults", name: "Insults", description: "d", modelLabels: ["gore_talk", "insults"], group: "speech"),
        ]
    )

    @Test("resolve accepts IDs, codes in any case and OpenAI names", arguments: [
        ("violence", "violence"), ("S1", "violence"), ("s10", "hate"), (" S10 ", "hate"),
        ("violence/graphic", "violence"), ("hate", "hate"), ("insults", "insults"),
    ] as [(String, HazardID)])
    func resolve(name: String, expected: HazardID) {
        #expect(Self.taxonomy.resolve(name) == expected)
    }

    @Test("resolve rejects unknown names and leaves groups to resolveAll", arguments: ["S2", "S01", "physical", "Violence", "unsafe", ""])
    func resolveUnknown(name: String) {
        #expect(Self.taxonomy.resolve(name) == nil)
    }

    @Test("resolveAll expands a group to its members, in order")
    func groups() {
        #expect(Self.taxonomy.resolveAll("speech") == ["hate", "insults"])
        #expect(Self.taxonomy.resolveAll("physical") == ["violence"])
        #expect(Self.taxonomy.resolveAll("S1") == ["violence"])
        #expect(Self.taxonomy.resolveAll("nothing") == nil)
    }

    @Test("a hazard's score is the maximum of its model labels; unknown labels are ignored")
    func hazardScores() {
        let scores = LabelScores(["violence": 0.2, "gore": 0.7, "insults": 0.1, "unsafe": 0.9, "other": 1.0])
        let hazards = Self.taxonomy.hazardScores(from: scores)
        #expect(hazards == ["violence": 0.7, "insults": 0.1])
        #expect(Self.taxonomy.modelLabels(for: "violence") == ["violence", "gore"])
        #expect(Self.taxonomy.hazards(forModelLabel: "gore") == ["violence"])
        #expect(Self.taxonomy.hazards(forModelLabel: "unknown").isEmpty)
        #expect(Self.taxonomy.openAINames(for: "violence") == ["violence", "violence/graphic"])
    }

    @Test("the programmatic initializer validates too")
    func initializerValidates() {
        #expect(throws: TaxonomyError.self) {
            try HazardTaxonomy(id: "bad", groups: [], categories: [
                HazardCategory(id: "a", name: "A", description: "d", group: "missing"),
            ])
        }
    }
}
