import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser lives here on Linux, in Foundation on Apple platforms
#endif
import Testing

@testable import WardenEval

@Suite("Report writers")
struct ReportWriterTests {
    @Test("JSON round-trips and is byte-stable")
    func json() throws {
        let report = try ReportFixture.report()
        let data = try report.jsonData()
        #expect(try report.jsonData() == data)
        let directory = try TemporaryDirectory()
        let url = directory.url.appendingPathComponent("r.json")
        try data.write(to: url)
        #expect(try EvaluationReport.load(url) == report)
        let text = String(decoding: data, as: UTF8.self)
        // Sorted keys: "averagePrecision" precedes "brierScore" inside a label.
        let first = try #require(text.range(of: "\"averagePrecision\""))
        let second = try #require(text.range(of: "\"brierScore\""))
        #expect(first.lowerBound < second.lowerBound)
    }

    @Test("Markdown shows estimates with intervals and every label and source")
    func markdown() throws {
        let report = try ReportFixture.report()
        let text = report.markdown()
        let unsafe = try #require(report.label("unsafe"))
        let interval = try #require(unsafe.averagePrecision?.interval)
        // 29/36 = 0.8055… → "0.806"
        let expected = "0.806 [\(ReportFormat.number(interval.lower)), \(ReportFormat.number(interval.upper))]"
        #expect(text.contains(expected))
        for source in ["arena_hard", "jbb_artifacts", "toxicchat_train"] { #expect(text.contains("| \(source) |")) }
        #expect(text.contains("| hate | 4 | 1 | 2 |"))  // n, positives, excluded
        #expect(text.contains("recall @ 5% FPR"))
        #expect(!text.lowercased().contains("nan"))
    }

    @Test("SVG charts are well-formed XML with axes and labels", arguments: [false, true])
    func svg(empty: Bool) throws {
        var report = try ReportFixture.report()
        report.labels[0].label = "unsafe <&> \"quoted\""
        if empty {
            report.labels = report.labels.map {
                var label = $0
                label.precisionRecallCurve = []
                return label
            }
        }
        let charts = [SVGChart.precisionRecall(report.labels)] + report.labels.map(SVGChart.reliability)
        for (index, chart) in charts.enumerated() {
            let elements = try parseXML(chart)
            #expect(elements.first == "svg")
            #expect(elements.contains("text") && elements.contains("line"))
            // Curves are paths; without positives the precision-recall chart has none.
            #expect(elements.contains("path") == !(empty && index == 0))
        }
        #expect(charts[0].contains("recall") && charts[0].contains("precision"))
        #expect(charts[0].contains("unsafe &lt;&amp;&gt; &quot;quoted&quot;"))
        #expect(charts[1].contains("observed positive rate"))
    }

    @Test("19 curves stay distinguishable, the legend fits the canvas, and labels without positives get no legend row")
    func manyCurves() throws {
        let base = try ReportFixture.report().labels[0]
        var labels: [LabelReport] = (0..<19).map { index in
            var label = base
            label.label = "a_rather_long_category_name_\(index)"
            return label
        }
        labels[18].precisionRecallCurve = []
        let chart = SVGChart.precisionRecall(labels)
        // 18 curves: the ten colours, then the same colours dashed.
        #expect(chart.components(separatedBy: "stroke-dasharray=\"4 4\"").count - 1 >= 2 * 8)
        let width = try #require(chart.firstMatch(of: /width="(\d+)"/).map { Int($0.1)! })
        // The longest legend text ends inside the canvas: 390 px of plot and gap, ~6 px per character.
        #expect(Double(width) >= 390 + Double("a_rather_long_category_name_17 (AP 0.000)".count) * 6)
        #expect(!chart.contains(">a_rather_long_category_name_18 ("))
        #expect(chart.contains("no positives, no curve: a_rather_long_category_name_18"))
    }

    @Test("the precision-recall outline is the step function whose area is AP")
    func stepOutline() {
        let curve = [
            PrecisionRecallPoint(threshold: 0.9, precision: 1, recall: 0.5),
            PrecisionRecallPoint(threshold: 0.5, precision: 0.5, recall: 1),
        ]
        let points = SVGChart.stepPoints(curve)
        #expect(points.map(\.0) == [0, 0.5, 0.5, 1])
        #expect(points.map(\.1) == [1, 1, 0.5, 0.5])
    }

    @Test("write(to:) writes the JSON, Markdown, HTML and charts")
    func writesFiles() throws {
        let directory = try TemporaryDirectory()
        let output = directory.url.appendingPathComponent("out")
        let files = try ReportFixture.report().write(to: output)
        #expect(
            files.map(\.lastPathComponent) == [
                "report.json", "report.md", "report.html", "precision-recall.svg", "reliability-unsafe.svg", "reliability-hate.svg",
                "reliability-violent_crimes.svg",
            ])
        for file in files where file.pathExtension == "svg" {
            _ = try parseXML(String(contentsOf: file, encoding: .utf8))
        }
    }

    @Test("comparison names the better report per metric")
    func comparison() throws {
        let baseline = try ReportFixture.report()
        // The candidate ranks every unsafe item perfectly: positives a, c, d above negatives.
        var scores = ReportFixture.scores
        for (index, value) in [0.9, 0.3, 0.8, 0.7, 0.2, 0.1].enumerated() { scores[index]["unsafe"] = value }
        let candidate = try ReportFixture.report(scores: scores)
        let text = ReportComparison.markdown(
            baseline: baseline, candidate: candidate, baselineName: "frozen", candidateName: "tuned")
        let rows = text.split(separator: "\n").map(String.init)
        let auprc = try #require(rows.first { $0.hasPrefix("| unsafe | AUPRC |") })
        // AP 29/36 → 1: Δ = 7/36 = 0.194
        #expect(auprc.contains("+0.194"))
        #expect(auprc.hasSuffix("| tuned |") || auprc.hasSuffix("| tuned (overlap) |"))
        // Benign FPR: b was flagged (0.8), now 0.3 is not → 0.5 → 0, lower is better.
        let benign = try #require(rows.first { $0.contains("realistic benign FPR") })
        #expect(benign.contains("tuned"))
        #expect(rows.contains { $0.hasPrefix("| unsafe | recall @ 5% FPR |") })
        let hate = try #require(rows.first { $0.hasPrefix("| hate | AUPRC |") })
        #expect(hate.hasSuffix("| tie |"))
    }

    /// Parses `text` as XML and returns the element names in document order.
    func parseXML(_ text: String) throws -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) { names.append(name) }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        let parsed = parser.parse()
        // On Linux parse() can return true despite an error, so check both.
        #expect(parsed && parser.parserError == nil, "not well-formed: \(String(describing: parser.parserError))")
        return collector.names
    }
}

@Suite("Plot curve thinning")
struct CurveThinningTests {
    @Test("keeps the last recall-raising point of each recall bucket")
    func thinning() {
        func point(_ recall: Double, _ precision: Double) -> PrecisionRecallPoint {
            PrecisionRecallPoint(threshold: 1 - recall, precision: precision, recall: recall)
        }
        // recall 0.1 (twice: the second is a negative-only step), 0.2, 0.55, 0.58, 1.0; two buckets
        // [0, 0.5) and [0.5, 1]: keep 0.2 from the first, 1.0 from the second.
        let points = [
            point(0.1, 1), point(0.1, 0.5), point(0.2, 0.67), point(0.55, 0.6), point(0.58, 0.5), point(1, 0.4),
        ]
        #expect(LabelScorer.thin(points, to: 2) == [point(0.2, 0.67), point(1, 0.4)])
        #expect(LabelScorer.thin(points, to: 10) == points)  // already short enough
    }
}
