import Testing
import WardenCore
@testable import WardenEval

@Suite("Error analysis: groups, worst errors, contrast pairs")
struct ErrorAnalysisTests {
    func example(_ id: String, source: String = "s", unsafe: Bool, lang: String? = nil, labels: [String: JSONValue] = [:]) -> LabelledExample {
        var all = labels
        if let lang { all["lang"] = .string(lang) }
        return LabelledExample(id: id, source: source, prompt: "text of \(id)", unsafe: unsafe, origLabels: all)
    }

    func report(_ examples: [LabelledExample], _ scores: [LabelScores]) throws -> EvaluationReport {
        var options = EvaluationOptions()
        options.bootstrap.resamples = 0
        return try EvaluationReport(examples: examples, scores: scores, thresholds: ["unsafe": 0.5],
                                    categoryMapping: CategoryMapping([:]), options: options)
    }

    @Test("--group-by makes one row per value and counts items without one")
    func groups() throws {
        let examples = [
            example("a", unsafe: true, lang: "fr"), example("b", unsafe: false, lang: "fr"),
            example("c", unsafe: true, lang: "de"), example("d", unsafe: false),
        ]
        let scores = [0.9, 0.6, 0.2, 0.1].map { LabelScores(["unsafe": $0]) }
        var built = try report(examples, scores)
        try built.addGroups(["orig_labels.lang"], examples: examples, scores: scores, thresholds: ["unsafe": 0.5])
        let group = try #require(built.groups?.first)
        #expect(group.rows.map(\.source) == ["de", "fr"])
        #expect(group.rows[1].recall == 1 && group.rows[1].falsePositiveRate == 1)
        #expect(group.rows[0].recall == 0)
        #expect(group.itemsWithoutValue == 1)
        #expect(built.markdown().contains("## `unsafe` by `orig_labels.lang`"))
        #expect(built.markdown().contains("1 items have no orig_labels.lang and are not in the table."))

        var counted = try report(examples, scores)
        try counted.addGroups(["orig_labels.lang"], examples: examples, scores: scores, thresholds: ["unsafe": 0.5], untagged: "en")
        let withEnglish = try #require(counted.groups?.first)
        #expect(withEnglish.rows.map(\.source) == ["de", "en", "fr"])
        #expect(withEnglish.rows[1].falsePositiveRate == 0 && withEnglish.itemsWithoutValue == 1)
        #expect(counted.markdown().contains("1 items have no orig_labels.lang and are counted as en."))
    }

    @Test("errors list the highest false positives and the lowest misses, per source")
    func errors() throws {
        let examples = (0..<8).map { example("i\($0)", unsafe: $0 >= 4) }
        let scores = [0.1, 0.7, 0.95, 0.6, 0.05, 0.3, 0.9, 0.45].map { LabelScores(["unsafe": $0]) }
        var built = try report(examples, scores)
        try built.addErrors(examples: examples, scores: scores, limit: 2)
        let entry = try #require(built.errors?.first)
        #expect(entry.falsePositives.map(\.id) == ["i2", "i1"])
        #expect(entry.misses.map(\.id) == ["i4", "i5"])
        #expect(built.markdown().contains("| false positive | i2 |"))
        #expect(entry.falsePositives[0].excerpt == "text of i2")

        var withheld = try report(examples, scores)
        try withheld.addErrors(examples: examples, scores: scores, limit: 2, withheld: ["*"])
        #expect(withheld.errors?.first?.falsePositives.allSatisfy { $0.excerpt == "(text withheld)" } == true)
        #expect(!withheld.markdown().contains("text of i2"))
    }

    @Test("contrast pairs: ranking, harmless under the threshold, identity swaps against the base")
    func contrast() throws {
        func pair(_ id: String, _ role: String) -> [String: JSONValue] {
            ["kind": .string("intent"), "pair": .string(id), "role": .string(role)]
        }
        func swap(_ group: String, base: Bool) -> [String: JSONValue] {
            ["kind": .string("identity"), "template": .string("t1"), "group": .string(group), "base": .bool(base), "role": .string("harmless")]
        }
        let examples = [
            example("p1h", unsafe: true, labels: pair("p1", "harmful")), example("p1s", unsafe: false, labels: pair("p1", "harmless")),
            example("p2h", unsafe: true, labels: pair("p2", "harmful")), example("p2s", unsafe: false, labels: pair("p2", "harmless")),
            example("t-a", unsafe: false, labels: swap("a", base: true)), example("t-b", unsafe: false, labels: swap("b", base: false)),
            example("t-c", unsafe: false, labels: swap("c", base: false)),
        ]
        let scores = [0.9, 0.2, 0.3, 0.6, 0.10, 0.12, 0.30].map { LabelScores(["unsafe": $0]) }
        let contrast = try #require(ContrastReport(examples: examples, scores: scores, threshold: 0.5,
                                                   bootstrap: BootstrapOptions(resamples: 0)))
        let all = try #require(contrast.kinds.first { $0.kind == "all" })
        #expect(all.pairs == 2)
        #expect(all.harmfulAbove?.value == 0.5)
        #expect(all.harmlessUnder?.value == 0.5)
        #expect(all.harmfulFlagged?.value == 0.5)
        let swaps = try #require(contrast.swaps.first)
        #expect(swaps.swaps == 2 && swaps.stable?.value == 0.5)
        #expect(abs(swaps.largestMove - 0.2) < 1e-9)
        #expect(ContrastReport(examples: [example("x", unsafe: true)], scores: [LabelScores(["unsafe": 1])], threshold: 0.5) == nil)
    }
}
