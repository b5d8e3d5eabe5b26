extension EvaluationReport {
    /// One self-contained page (`report.html`): the Markdown report's tables, the curves inline as SVG, the top false
    /// positives and misses, and with `comparison` the paired differences against another model.
    ///
    /// Nothing is loaded from elsewhere, and the page's own Content-Security-Policy forbids scripts, so even a text
    /// that escaped escaping could not run. Every data text goes through ``HTMLText/escape(_:)``.
    public func html(title: String = "Warden evaluation report", comparison: PairedComparison? = nil) -> String {
        var sections: [String] = [HTMLText.element("h1", title), HTMLText.element("p", summaryLine)]
        var contents: [(id: String, title: String)] = []
        func section(_ id: String, _ heading: String, _ body: String) {
            contents.append((id, heading))
            sections.append("<section id=\"\(id)\">\n<h2>\(HTMLText.escape(heading))</h2>\n\(body)\n</section>")
        }
        if !metadata.isEmpty {
            sections.append(HTMLText.table(["key", "value"], metadata.sorted { $0.key < $1.key }.map { [$0.key, $0.value] }, class: "meta"))
        }
        section("operating", "At the operating threshold", HTMLText.table(operatingHeader, operatingRows, numeric: Set(1...8)))
        section("ranking", "Ranking and calibration", HTMLText.table(rankingHeader, rankingRows, numeric: Set(1...6)))
        section("curves", "Curves", curves)
        section("benign", "Realistic benign false-positive rate", HTMLText.element("p", benignLine))
        section("sources", "unsafe by source", HTMLText.table(["source"] + Self.sourceHeader, sources.map(Self.sourceRow), numeric: Set(1...6)))
        for (index, group) in (groups ?? []).enumerated() {
            var body = HTMLText.table([group.field] + Self.sourceHeader, group.rows.map(Self.sourceRow), numeric: Set(1...6))
            if let note = group.untaggedNote {
                body += "\n" + HTMLText.element("p", note, class: "note")
            }
            section("group-\(index)", "unsafe by \(group.field)", body)
        }
        if let comparison { section("paired", "Paired comparison: \(comparison.candidateName) vs \(comparison.baselineName)", comparison.htmlTable) }
        if let errors, !errors.isEmpty { section("errors", "Top false positives and misses by source", errorTables(errors)) }
        section("definitions", "How the numbers are defined", definitionList)

        let navigation = "<nav>" + contents.map { "<a href=\"#\($0.id)\">\(HTMLText.escape($0.title))</a>" }.joined(separator: " ") + "</nav>"
        sections.insert(navigation, at: 2)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>\(HTMLText.escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main>
            \(sections.joined(separator: "\n"))
            </main>
            </body>
            </html>

            """
    }

    private var summaryLine: String {
        let bootstrap = options.bootstrap
        let intervals = bootstrap.resamples > 0
            ? "\(ReportFormat.percent(bootstrap.confidence)) percentile bootstrap intervals in brackets, from \(bootstrap.resamples) "
                + "\(bootstrap.stratified ? "stratified" : "plain") resamples (seed \(bootstrap.seed))"
            : "no bootstrap intervals"
        return "\(exampleCount) examples; \(intervals)."
    }

    private var benignLine: String {
        let benign = realisticBenign
        guard !benign.sourcesFound.isEmpty else { return "None of the realistic benign sources is in the data." }
        let missing = benign.sources.filter { !benign.sourcesFound.contains($0) }
        return "FPR of unsafe on \(benign.count) safe items from \(benign.sourcesFound.joined(separator: ", ")): "
            + "\(ReportFormat.estimate(benign.falsePositiveRate)) (\(benign.falsePositives) flagged)."
            + (missing.isEmpty ? "" : " Not in the data: \(missing.joined(separator: ", ")).")
    }

    private var curves: String {
        let reliability = labels.map { "<figure>\(HTMLText.inlineSVG(SVGChart.reliability($0)))</figure>" }
        return "<figure>\(HTMLText.inlineSVG(SVGChart.precisionRecall(labels)))</figure>\n<div class=\"charts\">\n"
            + reliability.joined(separator: "\n") + "\n</div>"
    }

    private func errorTables(_ errors: [SourceErrors]) -> String {
        var parts = [HTMLText.element(
            "p", "Per source, the flagged safe items with the highest unsafe scores (false positives) and the unsafe items with "
                + "the lowest scores below the threshold (misses). Texts are the judged turn, cut to 160 characters.")]
        for entry in errors {
            parts.append(HTMLText.element("h3", entry.source))
            let rows = entry.falsePositives.map { ["false positive", $0.id, ReportFormat.number($0.score), "", $0.excerpt] }
                + entry.misses.map { ["miss", $0.id, ReportFormat.number($0.score), $0.categories.joined(separator: " "), $0.excerpt] }
            parts.append(HTMLText.table(["error", "id", "unsafe", "categories", "text"], rows, numeric: [2], class: "errors"))
        }
        return parts.joined(separator: "\n")
    }

    private var definitionList: String {
        let negatives = options.categoryNegatives == .safeItems
            ? "negatives are safe items; unsafe items without one of its codes are excluded"
            : "negatives are safe items and unsafe items tagged only with other mapped categories; uncategorised unsafe items are excluded"
        let items = [
            "An item is flagged when its score is at or above the threshold.",
            "unsafe uses every item. A category label's positives are items carrying a code mapped onto it; \(negatives) (column excluded).",
            "AUPRC is average precision (step-wise); ROC-AUC is the trapezoid area (ties count half); ECE uses \(options.calibrationBins) equal-width bins.",
            "Recall @ \(target) FPR uses the lowest threshold whose FPR is at most \(target); its interval re-chooses the threshold in each resample.",
            "– marks a metric that is undefined on the data (for example AUPRC without positives).",
        ]
        return "<ul>" + items.map { HTMLText.element("li", $0) }.joined() + "</ul>"
    }

    static let style = """
        body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1d2430; }
        main { max-width: 1400px; margin: 0 auto; padding: 16px 24px 48px; }
        nav a { margin-right: 12px; }
        table { border-collapse: collapse; margin: 8px 0 16px; display: block; max-width: 100%; overflow-x: auto; }
        th, td { padding: 4px 10px; border-bottom: 1px solid #d9dee6; text-align: left; vertical-align: top; }
        th { font-size: 12px; color: #5d6675; overflow-wrap: anywhere; }
        svg { max-width: 100%; height: auto; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        table.errors td:last-child { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 560px; }
        .charts { display: flex; flex-wrap: wrap; gap: 8px; }
        figure { margin: 8px 0; }
        .note { color: #5d6675; }
        """
}

extension PairedComparison {
    /// The paired rows as an HTML table: Δ = candidate − baseline with its paired interval, and which model wins.
    var htmlTable: String {
        func number(_ value: Double?) -> String { ReportFormat.number(value) }
        let rows = rows.map { row -> [String] in
            let delta = row.difference.map { difference in
                String(format: "%+.3f", difference.value)
                    + (difference.interval.map { String(format: " [%+.3f, %+.3f]", $0.lower, $0.upper) } ?? "")
            } ?? "–"
            return [row.label, row.metric, "\(row.positives)", "\(row.negatives)", number(row.baseline), number(row.candidate), delta, row.verdict]
        }
        let note = "Baseline: \(baselineName); candidate: \(candidateName). Δ = candidate − baseline; "
            + "\(ReportFormat.percent(options.bootstrap.confidence)) interval from \(options.bootstrap.resamples) paired resamples "
            + "of the items (both models scored on the same resample)."
        return HTMLText.element("p", note) + "\n" + HTMLText.table(
            ["label", "metric", "positives", "negatives", "baseline", "candidate", "Δ [interval]", "better"], rows, numeric: Set(2...6))
    }
}
