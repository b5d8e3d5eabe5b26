import Testing
import WardenEval
@testable import WardenTraining

@Suite("Training data: split, targets, mixture")
struct DataRulesTests {
    static let space = LabelSpace(
        labels: ["unsafe", "violent_crimes", "hate", "harassment", "profanity"],
        labelForCode: ["S1": "violent_crimes", "S10": "hate", "harassment": "harassment", "profanity": "profanity"])

    func example(_ id: String, source: String = "src", unsafe: Bool, categories: [String] = [], origClass: String? = nil) -> LabelledExample {
        LabelledExample(id: id, source: source, prompt: "text \(id)", unsafe: unsafe, categories: categories,
                        origLabels: origClass.map { ["class": .string($0)] })
    }

    @Test("the split is deterministic, stratified by source, and independent of input order")
    func split() {
        let items = (0..<200).map { example("a-\($0)", source: "a", unsafe: $0 % 3 == 0) }
            + (0..<40).map { example("b-\($0)", source: "b", unsafe: false) }
        let split = DataSplit(validationFraction: 0.1, calibrationFraction: 0.05, salt: "t")
        let parts = split.split(items)
        #expect(parts[.validation]?.filter { $0.source == "a" }.count == 20)
        #expect(parts[.validation]?.filter { $0.source == "b" }.count == 4)
        #expect(parts[.calibration]?.filter { $0.source == "a" }.count == 10)
        let reversed = split.split(items.reversed())
        #expect(Set(reversed[.validation]!.map(\.id)) == Set(parts[.validation]!.map(\.id)))
        let total = parts.values.reduce(0) { $0 + $1.count }
        #expect(total == items.count)
    }

    @Test("a source sorted by label is still mixed across parts")
    func sortedSource() {
        // The first 400 of 2,000 ids are unsafe, as in files written label by label.
        let items = (0..<2000).map { example("coconot-\($0)", source: "coconot", unsafe: $0 < 400) }
        for part in [SplitPart.validation, .train] {
            let chosen = DataSplit.standard.split(items)[part] ?? []
            let share = Double(chosen.filter(\.unsafe).count) / Double(chosen.count)
            #expect((0.14...0.26).contains(share), "\(part): unsafe share \(share)")
        }
        let capped = DataMixture(sources: ["coconot": SourceMixing(cap: 500)]).capped(items)
        let share = Double(capped.filter(\.unsafe).count) / 500
        #expect((0.14...0.26).contains(share), "capped unsafe share \(share)")
    }

    @Test("uncategorised unsafe items train only the unsafe label")
    func uncategorised() {
        let target = TargetBuilder(space: Self.space).target(for: example("x", unsafe: true))
        #expect(target.values == [1, 0, 0, 0, 0])
        #expect(target.mask == [1, 0, 0, 0, 0])
    }

    @Test("categorised unsafe items are positive on their categories and negative on the other hazards")
    func categorised() {
        let target = TargetBuilder(space: Self.space).target(for: example("x", unsafe: true, categories: ["S10"]))
        #expect(target.values == [1, 0, 1, 0, 0])
        #expect(target.mask == [1, 1, 1, 1, 0])
    }

    @Test("reviewed additions are positive on their categories and leave the other hazards unknown")
    func reviewedAddition() {
        let additions = CategoryAdditions([.init(id: "x", source: "src", categories: ["S10"])])
        let added = additions.apply(to: [example("x", unsafe: true)]).examples[0]
        let target = TargetBuilder(space: Self.space).target(for: added)
        #expect(target.values == [1, 0, 1, 0, 0])
        #expect(target.mask == [1, 0, 1, 0, 0])
    }

    @Test("Davidson offensive is safe with profanity; Davidson neither is safe without")
    func davidson() {
        let builder = TargetBuilder(space: Self.space)
        let offensive = example("d1", source: "davidson_hate_offensive", unsafe: true, origClass: "offensive_language")
        #expect(!builder.isUnsafe(offensive))
        let t = builder.target(for: offensive)
        #expect(t.values == [0, 0, 0, 0, 1])
        #expect(t.mask == [1, 0, 1, 0, 1])
        let neither = builder.target(for: example("d2", source: "davidson_hate_offensive", unsafe: false, origClass: "neither"))
        #expect(neither.values == [0, 0, 0, 0, 0])
        #expect(neither.mask == [1, 1, 1, 1, 1])
    }

    @Test("safe items of narrow corpora are negatives only for what the corpus annotates")
    func narrow() {
        let t = TargetBuilder(space: Self.space).target(for: example("c", source: "cad", unsafe: false))
        #expect(t.mask == [1, 0, 1, 1, 0])
    }

    @Test("caps keep a deterministic subset per source; weights boost safe items of boosted sources")
    func mixture() {
        let mixture = DataMixture(sources: ["a": SourceMixing(cap: 10, weight: 2, safeBoost: 1.5)])
        let items = (0..<50).map { example("a-\($0)", source: "a", unsafe: false) } + [example("z", source: "z", unsafe: true)]
        let capped = mixture.capped(items)
        #expect(capped.filter { $0.source == "a" }.count == 10)
        #expect(capped.contains { $0.id == "z" })
        #expect(mixture.capped(items.shuffled()).map(\.id).sorted() == capped.map(\.id).sorted())
        #expect(mixture.weight(of: items[0], unsafe: false) == 3)
        #expect(mixture.weight(of: items[0], unsafe: true) == 2)
        #expect(mixture.weight(of: items[50], unsafe: true) == 1)
    }

    @Test("the mixture report counts categories per part, with Davidson offensive as profanity, and reviewed additions")
    func mixtureReport() {
        let split = DataSplit(validationFraction: 0.5, calibrationFraction: 0, salt: "r")
        var items = (0..<40).map { example("h-\($0)", source: "h", unsafe: true, categories: ["S10"]) }
        items += (0..<40).map { example("d-\($0)", source: "davidson_hate_offensive", unsafe: true, origClass: "offensive_language") }
        items += (0..<10).map { example("w-\($0)", source: "w", unsafe: true) }
        items = CategoryAdditions((0..<10).map { .init(id: "w-\($0)", source: "w", categories: ["S1"]) }).apply(to: items).examples
        let report = MixtureReport(examples: items, split: split, mixture: DataMixture(sources: [:]), targets: TargetBuilder(space: Self.space))
        #expect(report.trainCategories["S10"] == 20 && report.validationCategories["S10"] == 20)
        #expect(report.trainCategories["profanity"] == 20 && report.validationCategories["profanity"] == 20)
        #expect(report.validationCategories["S1"] == 5)
        #expect(report.reviewedAdditions == 10)
        #expect(report.rows.first { $0.source == "davidson_hate_offensive" }?.unsafe == 0)
        #expect(report.markdown.contains("Validation positives per category (per-category metrics rest on these): profanity 20, S1 5, S10 20"))
    }
}
