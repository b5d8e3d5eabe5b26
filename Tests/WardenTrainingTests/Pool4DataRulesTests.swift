import Testing
import WardenEval
@testable import WardenTraining

@Suite("Training data: grouped split and exclusions")
struct Pool4DataRulesTests {
    func item(_ id: String, source: String, unsafe: Bool = false, prompt: String? = nil, labels: [String: JSONValue]) -> LabelledExample {
        LabelledExample(id: id, source: source, prompt: prompt ?? "text \(id)", unsafe: unsafe, origLabels: labels)
    }

    @Test("translations of one source text always land in the same part")
    func groupedSplit() {
        let languages = ["en", "fr", "de", "it", "pt", "es", "hi", "th"]
        let items = (0..<300).flatMap { index in
            languages.map { lang in
                item("rtplx-\(index)-\(lang)", source: "rtplx_train", labels: ["rtplx_index": .integer(index), "lang": .string(lang)])
            }
        }
        let assignments = DataSplit.standard.assignments(items)
        var partOfGroup: [Int: SplitPart] = [:]
        for (position, example) in items.enumerated() {
            guard case .integer(let group)? = example.origLabels?["rtplx_index"] else { Issue.record("no group"); return }
            let part = assignments[position]!
            #expect(partOfGroup[group, default: part] == part, "group \(group) is split across parts")
            partOfGroup[group] = part
        }
        let validationGroups = partOfGroup.values.filter { $0 == .validation }.count
        #expect((15...45).contains(validationGroups), "about 10% of 300 groups in validation, got \(validationGroups)")
    }

    @Test("sources without group fields still split by id")
    func ungroupedSplitUnchanged() {
        let items = (0..<100).map { item("a-\($0)", source: "a", labels: ["rtplx_index": .integer(1)]) }
        #expect(DataSplit.standard.splitKey(of: items[3]) == "a-3")
        #expect(Set(DataSplit.standard.assignments(items).values).count == 3)
    }

    @Test("exclusions: borderline ratings, unreadable languages, attacks beyond the first window")
    func exclusions() {
        let borderline = TrainingExclusion.borderlineRating(field: "Toxicity", low: 1.6, high: 3.4)
        func rated(_ value: Double) -> LabelledExample {
            item("r", source: "rtplx_train", unsafe: value > 2, labels: ["annotations_mean": .object(["Toxicity": .number(value)])])
        }
        #expect(borderline.excludes(rated(2.33)))
        #expect(borderline.excludes(rated(3.33)))
        #expect(!borderline.excludes(rated(1.0)))
        #expect(!borderline.excludes(rated(3.67)))
        #expect(!borderline.excludes(item("x", source: "s", labels: [:])), "an item without ratings is kept")

        let thai = TrainingExclusion.languages(["th"])
        #expect(thai.excludes(item("t", source: "multijail", labels: ["lang": .string("th")])))
        #expect(!thai.excludes(item("i", source: "multijail", labels: ["lang": .string("it")])))

        let window = TrainingExclusion.attackBeyond(characters: 20)
        let attack: [String: JSONValue] = ["attack": .string("IGNORE ALL")]
        #expect(!window.excludes(item("early", source: "b", unsafe: true, prompt: "Hi. IGNORE ALL and more", labels: attack)))
        #expect(window.excludes(item("late", source: "b", unsafe: true, prompt: String(repeating: "x", count: 40) + " IGNORE ALL", labels: attack)))
        #expect(window.excludes(item("missing", source: "b", unsafe: true, prompt: "nothing here", labels: attack)),
                "an injected item whose attack cannot be found is not trusted")
        #expect(!window.excludes(item("clean", source: "b", unsafe: false, prompt: "clean twin", labels: [:])))
    }

    @Test("the multilingual mixture trains MultiJail's Thai requests, which the English one leaves out; nothing else differs")
    func multilingualMixture() {
        let thai = item("t", source: "multijail", labels: ["lang": .string("th")])
        #expect(DataMixture.standard.capped([thai]).isEmpty)
        #expect(DataMixture.multilingual.capped([thai]).map(\.id) == ["t"])
        let others = DataMixture.standard.sources.filter { $0.key != "multijail" }
        #expect(DataMixture.multilingual.sources.filter { $0.key != "multijail" } == others)
    }

    @Test("multilingual-de trains every GermEval item, its unsafe ones at weight 2 and its safe ones at 0.5; nothing else differs")
    func germanMixture() throws {
        let german = try DataMixture.named("multilingual-de")
        let items = (0..<3_000).map { item("g-\($0)", source: "germeval2026", labels: ["lang": .string("de")]) }
        #expect(DataMixture.multilingual.capped(items).count == 2_500)
        #expect(german.capped(items).count == 3_000)
        let one = items[0]
        #expect(german.weight(of: one, unsafe: true) == 2)
        #expect(german.weight(of: one, unsafe: false) == DataMixture.multilingual.weight(of: one, unsafe: false))
        #expect(german.sources.filter { $0.key != "germeval2026" } == DataMixture.multilingual.sources.filter { $0.key != "germeval2026" })
    }

    @Test("a mixture is named: the defaults by tokenizer family, and an unknown name lists the known ones")
    func namedMixtures() throws {
        #expect(try DataMixture.named(DataMixture.defaultName(for: .wordPiece)) == .standard)
        #expect(try DataMixture.named(DataMixture.defaultName(for: .sentencePiece)) == .multilingual)
        #expect(throws: DataMixtureError.unknownName("german", known: ["multilingual", "multilingual-de", "standard"])) {
            try DataMixture.named("german")
        }
    }

    @Test("the mixture applies exclusions before its caps")
    func mixtureExcludes() {
        let mixture = DataMixture(sources: ["m": SourceMixing(cap: 5, exclusions: [.languages(["th"])])])
        let items = (0..<10).map { item("m-\($0)", source: "m", labels: ["lang": .string($0 < 6 ? "th" : "it")]) }
        let kept = mixture.capped(items)
        #expect(kept.count == 4)
        #expect(kept.allSatisfy { $0.origLabels?["lang"] == .string("it") })
    }
}
