import Foundation
import Testing
import WardenCore
@testable import WardenTaxonomy
import WardenTesting

@Suite("Shipped taxonomy files")
struct ShippedTaxonomyTests {
    static let files: [URL] = {
        let folder = repositoryRoot.appendingPathComponent("Taxonomy")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }()

    @Test("the Taxonomy folder is not empty")
    func folderHasFiles() {
        #expect(!Self.files.isEmpty)
    }

    @Test("every shipped taxonomy loads and validates", arguments: files)
    func loads(_ url: URL) throws {
        let taxonomy = try TaxonomyLoader.load(from: url)
        #expect(!taxonomy.categories.isEmpty)
        #expect(HazardTaxonomy.problems(groups: taxonomy.groups, categories: taxonomy.categories).isEmpty)
    }

    @Test("mlcommons-v1 has S1-S14 in Llama Guard 3's order plus three uncoded hazards")
    func mlcommonsCodes() throws {
        let taxonomy = try TaxonomyLoader.load(from: repositoryRoot.appendingPathComponent("Taxonomy/mlcommons-v1.yaml"))
        #expect(taxonomy.id == "mlcommons-v1")
        let expected: [(String, HazardID, String)] = [
            ("S1", "violent_crimes", "Violent Crimes"), ("S2", "non_violent_crimes", "Non-Violent Crimes"),
            ("S3", "sex_related_crimes", "Sex-Related Crimes"), ("S4", "child_sexual_exploitation", "Child Sexual Exploitation"),
            ("S5", "defamation", "Defamation"), ("S6", "specialized_advice", "Specialized Advice"),
            ("S7", "privacy", "Privacy"), ("S8", "intellectual_property", "Intellectual Property"),
            ("S9", "indiscriminate_weapons", "Indiscriminate Weapons"), ("S10", "hate", "Hate"),
            ("S11", "suicide_self_harm", "Suicide & Self-Harm"), ("S12", "sexual_content", "Sexual Content"),
            ("S13", "elections", "Elections"), ("S14", "code_interpreter_abuse", "Code Interpreter Abuse"),
        ]
        for (code, id, name) in expected {
            #expect(taxonomy.resolve(code) == id, "\(code)")
            #expect(taxonomy.code(for: id) == code)
            #expect(taxonomy.category(id)?.name == name)
        }
        for id: HazardID in ["harassment", "jailbreak", "prompt_injection"] {
            #expect(taxonomy.category(id) != nil)
            #expect(taxonomy.code(for: id) == nil)
        }
        #expect(taxonomy.categories.count == 17)
    }

    @Test("every OpenAI moderation name maps to exactly one hazard, and each hazard's model label is its ID")
    func openAIAndLabels() throws {
        let taxonomy = try TaxonomyLoader.load(from: repositoryRoot.appendingPathComponent("Taxonomy/mlcommons-v1.yaml"))
        #expect(Set(taxonomy.openAINameMapping.keys) == Set(OpenAIModerationCategory.all))
        for name in OpenAIModerationCategory.all {
            let owners = taxonomy.categories.filter { $0.openAINames.contains(name) }
            #expect(owners.count == 1, "\(name)")
        }
        #expect(taxonomy.resolve("sexual/minors") == "child_sexual_exploitation")
        #expect(taxonomy.resolve("illicit") == "non_violent_crimes")
        #expect(taxonomy.resolve("self-harm/instructions") == "suicide_self_harm")
        for category in taxonomy.categories {
            #expect(category.modelLabels == [category.id.rawValue])
            #expect(taxonomy.hazards(forModelLabel: category.id.rawValue) == [category.id])
        }
        let groups = Set(taxonomy.categories.map(\.group))
        #expect(groups == Set(taxonomy.groups.map(\.id)), "every group is used")
    }
}
