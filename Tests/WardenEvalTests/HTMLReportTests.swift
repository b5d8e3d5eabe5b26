import Foundation
import Testing
import WardenCore

@testable import WardenEval

@Suite("HTML report")
struct HTMLReportTests {
    static let hostile = #"<script>alert(1)</script><img src=x onerror="alert(2)"> <a href="javascript:alert(3)">x</a> & 'q'"#

    /// The fixture's report with hostile text where a dataset or a model could put it: ids, excerpts, sources, labels.
    static func hostileReport() throws -> EvaluationReport {
        var report = try ReportFixture.report()
        try report.addErrors(examples: ReportFixture.examples, scores: ReportFixture.scores)
        report.errors![0].falsePositives.append(ScoredItem(id: "id-" + hostile, score: 0.99, categories: ["S1"], excerpt: hostile))
        report.errors![0].source = "source " + hostile
        report.metadata["data"] = hostile
        return report
    }

    @Test("hostile item text, ids and metadata are escaped: no element or attribute comes from the data")
    func escaping() throws {
        let html = try Self.hostileReport().html(title: "title " + Self.hostile)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<a href=\"javascript"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"))
        #expect(html.contains("&amp; &#39;q&#39;"))
        #expect(html.contains("<title>title &lt;script&gt;"))
        // The page forbids scripts itself, in case anything ever slipped through.
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
    }

    @Test("the page is well-formed, self-contained, and has every section with intervals and inline curves")
    func content() throws {
        let report = try Self.hostileReport()
        let html = report.html()
        let body = try #require(html.split(separator: "\n", maxSplits: 1).last.map(String.init))
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        let elements = try ReportWriterTests().parseXML(body)
        #expect(elements.first == "html")
        #expect(elements.filter { $0 == "svg" }.count == 1 + report.labels.count, "one precision-recall chart and one reliability chart per label")
        #expect(elements.contains("path") && elements.contains("table"))
        for id in ["operating", "ranking", "curves", "benign", "sources", "errors", "definitions"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        // No external reference of any kind: only in-page anchors.
        #expect(html.firstMatch(of: /<[a-zA-Z][^<>]*\ssrc=/) == nil, "no element loads anything")
        #expect(html.components(separatedBy: "href=\"").dropFirst().allSatisfy { $0.hasPrefix("#") })
        #expect(!html.contains("<?xml"))
        // The unsafe AUPRC with its interval, as in the Markdown.
        let interval = try #require(report.label("unsafe")?.averagePrecision?.interval)
        #expect(html.contains("0.806 [\(ReportFormat.number(interval.lower)), \(ReportFormat.number(interval.upper))]"))
        for source in ["arena_hard", "jbb_artifacts", "toxicchat_train"] { #expect(html.contains("<td>\(source)</td>")) }
        #expect(html.contains("<td>false positive</td>") && html.contains("<td>miss</td>"))
        #expect(!html.lowercased().contains("nan"))
    }

    @Test("per-group tables appear with their field")
    func groups() throws {
        var report = try ReportFixture.report()
        try report.addGroups(
            ["direction"], examples: ReportFixture.examples, scores: ReportFixture.scores, thresholds: ReportFixture.thresholds)
        let html = report.html()
        #expect(html.contains("<h2>unsafe by direction</h2>"))
        #expect(html.contains("<th>direction</th>"))
    }

    @Test("--compare-model's paired differences get their own section, with intervals and verdicts")
    func pairedComparison() throws {
        var better = ReportFixture.scores
        for (index, value) in [0.9, 0.3, 0.8, 0.7, 0.2, 0.1].enumerated() { better[index]["unsafe"] = value }
        let comparison = try PairedComparison(
            examples: ReportFixture.examples, baseline: ("frozen <b>", ReportFixture.scores, ReportFixture.thresholds),
            candidate: ("tuned", better, ReportFixture.thresholds), categoryMapping: ReportFixture.mapping,
            options: ReportFixture.options)
        let html = try ReportFixture.report().html(comparison: comparison)
        #expect(html.contains("<section id=\"paired\">"))
        #expect(html.contains("tuned vs frozen &lt;b&gt;"))
        #expect(!html.contains("<b>"))
        // AP 29/36 → 1: Δ = +0.194, with its paired interval.
        #expect(html.contains("<td class=\"num\">+0.194 ["))
        for row in comparison.rows { #expect(html.contains("<td>\(row.verdict)</td>")) }
        #expect(!(try ReportFixture.report().html()).contains("id=\"paired\""))
    }
}
