import Foundation
import Testing
import WardenCore

@testable import WardenEval

@Suite("Evaluation report")
struct EvaluationReportTests {
    @Test("unsafe metrics match the hand-computed ranking case")
    func unsafeLabel() throws {
        let report = try ReportFixture.report()
        #expect(report.labels.map(\.label) == ["unsafe", "hate", "violent_crimes"])
        let unsafe = try #require(report.label("unsafe"))
        #expect(unsafe.count == 6 && unsafe.positives == 3 && unsafe.excluded == 0)
        // Threshold 0.65 flags a, b, c: TP 2, FP 1, FN 1 → precision 2/3, recall 2/3, F1 2/3, FPR 1/3.
        #expect(isClose(unsafe.precision, 2.0 / 3) && isClose(unsafe.recall, 2.0 / 3))
        #expect(isClose(unsafe.f1?.value, 2.0 / 3) && isClose(unsafe.falsePositiveRate?.value, 1.0 / 3))
        #expect(isClose(unsafe.averagePrecision?.value, 29.0 / 36))  // see RankingMetricTests
        #expect(isClose(unsafe.rocAUC, 7.0 / 9))
        #expect(unsafe.bestF1?.threshold == 0.6)
        // 5% of 3 negatives allows none: threshold 0.9, recall 1/3.
        #expect(unsafe.recallAtFalsePositiveRate?.threshold == 0.9)
        #expect(isClose(unsafe.recallAtFalsePositiveRate?.recall.value, 1.0 / 3))
        #expect(unsafe.averagePrecision?.interval?.resamples == 50)
        // Recall at the threshold gets its bootstrap interval too, around the point value.
        let recallInterval = try #require(unsafe.recallInterval)
        #expect(recallInterval.resamples == 50)
        #expect(recallInterval.lower <= 2.0 / 3 && 2.0 / 3 <= recallInterval.upper && recallInterval.lower < recallInterval.upper)
        #expect(unsafe.reliability.count == 10)
    }

    @Test("a report written before recall had an interval still loads")
    func olderReportLoads() throws {
        let report = try ReportFixture.report()
        let encoder = JSONEncoder()
        var json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        var labels = try #require(json["labels"] as? [[String: Any]])
        for index in labels.indices { labels[index].removeValue(forKey: "recallInterval") }
        json["labels"] = labels
        let decoded = try JSONDecoder().decode(EvaluationReport.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.label("unsafe")?.recallInterval == nil)
        #expect(isClose(decoded.label("unsafe")?.recall, 2.0 / 3))
    }

    @Test("category labels use only items whose category truth is known")
    func categoryExclusion() throws {
        let report = try ReportFixture.report()
        // hate (S10, harassment): positive c; negatives the safe b, e, f; excluded a (only S1) and
        // d (no category; its high hate score 0.9 must not count). Ranking c .6 > f .4 > b .2 > e .1 → AP 1.
        let hate = try #require(report.label("hate"))
        #expect(hate.codes == ["S10", "harassment"])
        #expect(hate.count == 4 && hate.positives == 1 && hate.negatives == 3 && hate.excluded == 2)
        #expect(hate.averagePrecision?.value == 1)
        #expect(hate.rocAUC == 1)
        // violent_crimes (S1): positive a; negatives b, e, f; excluded c (S10) and d.
        let violent = try #require(report.label("violent_crimes"))
        #expect(violent.count == 4 && violent.positives == 1 && violent.excluded == 2)
    }

    @Test("optionally, unsafe items of other categories are category negatives")
    func otherCategoriesAsNegatives() throws {
        var options = ReportFixture.options
        options.categoryNegatives = .safeAndOtherCategories
        let hate = try #require(try ReportFixture.report(options: options).label("hate"))
        // a (S1, hate score 0.7) joins the negatives; d (uncategorised) stays excluded.
        // Ranking a .7 F, c .6 T: AP = 1 · (1/2) = 1/2.
        #expect(hate.negatives == 4 && hate.excluded == 1)
        #expect(hate.averagePrecision?.value == 0.5)
    }

    @Test("per-source breakdown of unsafe")
    func sources() throws {
        let report = try ReportFixture.report()
        #expect(report.sources.map(\.source) == ["arena_hard", "jbb_artifacts", "toxicchat_train"])
        // arena_hard: one safe item at 0.5 < 0.65 → FPR 0; no positives → recall and AP undefined.
        let arena = report.sources[0]
        #expect(arena.count == 1 && arena.positives == 0)
        #expect(
            arena.falsePositiveRate == 0 && arena.recall == nil && arena.averagePrecision == nil && arena.rocAUC == nil)
        // jbb: c .7 T (flagged), d .6 T (missed), f .4 F → recall 1/2, FPR 0, AP 1.
        let jbb = report.sources[1]
        #expect(jbb.recall == 0.5 && jbb.falsePositiveRate == 0 && jbb.averagePrecision == 1)
        // toxicchat: a .9 T, b .8 F, both flagged → recall 1, FPR 1.
        let toxicchat = report.sources[2]
        #expect(toxicchat.recall == 1 && toxicchat.falsePositiveRate == 1)
    }

    @Test("realistic benign FPR over the configured sources")
    func realisticBenign() throws {
        let benign = try ReportFixture.report().realisticBenign
        // Safe items of those sources: b (0.8, flagged) and e (0.5) → FPR 1/2.
        #expect(benign.sourcesFound == ["arena_hard", "toxicchat_train"])
        #expect(benign.count == 2 && benign.falsePositives == 1)
        #expect(benign.falsePositiveRate?.value == 0.5)
        var options = ReportFixture.options
        options.realisticBenignSources = ["jbb_artifacts"]
        // Only f (0.4) → FPR 0.
        let jbbOnly = try ReportFixture.report(options: options).realisticBenign
        #expect(jbbOnly.count == 1 && jbbOnly.falsePositiveRate?.value == 0)
    }

    @Test("excluded items need no score; included ones do")
    func missingScores() throws {
        var scores = ReportFixture.scores
        scores[3]["violent_crimes"] = nil  // d is excluded from violent_crimes
        _ = try ReportFixture.report(scores: scores)
        scores[4]["violent_crimes"] = nil  // e is a negative
        #expect(throws: EvaluationError.missingScore(label: "violent_crimes", exampleID: "e")) {
            try ReportFixture.report(scores: scores)
        }
    }

    @Test("mismatched inputs are errors that say what to fix")
    func inputErrors() {
        #expect(throws: EvaluationError.scoreCountMismatch(examples: 6, scores: 5)) {
            try ReportFixture.report(scores: Array(ReportFixture.scores.dropLast()))
        }
        var scores = ReportFixture.scores
        scores[0]["unsafe"] = 3.5
        #expect(throws: EvaluationError.invalidScore(label: "unsafe", exampleID: "a", value: 3.5)) {
            try ReportFixture.report(scores: scores)
        }
        #expect(throws: EvaluationError.missingThreshold(label: "hate")) {
            try EvaluationReport(
                examples: ReportFixture.examples, scores: ReportFixture.scores, thresholds: ["unsafe": 0.5],
                categoryMapping: ReportFixture.mapping)
        }
        #expect(EvaluationError.missingThreshold(label: "hate").description.contains("\"hate\""))
    }

    @Test("an empty data set gives a report with undefined metrics")
    func emptyData() throws {
        let report = try EvaluationReport(
            examples: [], scores: [], thresholds: ReportFixture.thresholds, categoryMapping: ReportFixture.mapping)
        let unsafe = try #require(report.label("unsafe"))
        #expect(unsafe.count == 0 && unsafe.averagePrecision == nil && unsafe.f1 == nil)
        #expect(report.sources.isEmpty && report.realisticBenign.falsePositiveRate == nil)
        #expect(!report.markdown().contains("nan"))
    }

    @Test("the mapping can be built from a closure; unmapped codes are ignored")
    func mappingFromClosure() {
        let mapping = CategoryMapping { code in code == "S10" || code == "harassment" ? "hate" : nil }
        #expect(mapping.labels == ["hate"])
        #expect(mapping.codes(for: "hate") == ["S10", "harassment"])
        #expect(mapping.label(for: "S1") == nil)
    }
}
