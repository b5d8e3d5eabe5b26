import Foundation

/// Hand-written SVG charts (no dependencies): precision-recall curves and reliability diagrams.
/// The output is a standalone, well-formed XML document.
public enum SVGChart {
    /// Precision-recall curves of several labels on one chart, with each label's operating point.
    public static func precisionRecall(_ labels: [LabelReport], title: String = "Precision-recall") -> String {
        var canvas = Canvas(title: title, xTitle: "recall", yTitle: "precision")
        // Labels without positives have no curve: one note names them instead of legend rows without lines.
        let drawn = labels.filter { !$0.precisionRecallCurve.isEmpty }
        for (index, label) in drawn.enumerated() {
            // Past the palette, the colours repeat with a dash, so every curve stays distinguishable.
            let color = Canvas.palette[index % Canvas.palette.count]
            let dashed = index >= Canvas.palette.count
            canvas.path(stepPoints(label.precisionRecallCurve), color: color, dashed: dashed)
            if let precision = label.precision, let recall = label.recall {
                canvas.dot(
                    x: recall, y: precision, color: color, tooltip: "threshold \(ReportFormat.number(label.threshold))")
            }
            canvas.legend("\(label.label) (AP \(ReportFormat.number(label.averagePrecision?.value)))", color: color, dashed: dashed)
        }
        let empty = labels.filter { $0.precisionRecallCurve.isEmpty }.map(\.label)
        if drawn.isEmpty { canvas.note("no positives: no curve") }
        if !empty.isEmpty { canvas.footnote("no positives, no curve: " + empty.joined(separator: ", ")) }
        return canvas.render()
    }

    /// A reliability diagram of one label: observed positive rate against mean score per bin, the
    /// diagonal of perfect calibration, and the share of items per bin as grey bars.
    public static func reliability(_ label: LabelReport) -> String {
        var canvas = Canvas(
            title: "Reliability: \(label.label) (ECE \(ReportFormat.number(label.expectedCalibrationError)))",
            xTitle: "mean score", yTitle: "observed positive rate")
        // Bars are scaled to the fullest bin, so the spread of scores is visible even when thin.
        let fullest = max(label.reliability.map(\.count).max() ?? 0, 1)
        for bin in label.reliability where bin.count > 0 {
            canvas.bar(
                from: bin.lower, to: bin.upper, height: Double(bin.count) / Double(fullest),
                tooltip: "\(bin.count) items")
        }
        canvas.path([(0, 0), (1, 1)], color: "#999999", dashed: true)
        let points = label.reliability.compactMap { bin in
            bin.meanScore.flatMap { score in bin.positiveRate.map { (score, $0) } }
        }
        canvas.path(points, color: Canvas.palette[0])
        for point in points { canvas.dot(x: point.0, y: point.1, color: Canvas.palette[0], tooltip: nil) }
        if points.isEmpty { canvas.note("no items") }
        canvas.legend("observed positive rate per bin", color: Canvas.palette[0])
        canvas.legend("perfect calibration", color: "#999999")
        canvas.legend("items per bin (fullest = 1/4 height)", color: "#cccccc")
        return canvas.render()
    }

    /// The step outline whose area is the average precision: precision Pₖ over recall (Rₖ₋₁, Rₖ].
    static func stepPoints(_ curve: [PrecisionRecallPoint]) -> [(Double, Double)] {
        var points: [(Double, Double)] = []
        var previousRecall = 0.0
        for point in curve {
            points.append((previousRecall, point.precision))
            points.append((point.recall, point.precision))
            previousRecall = point.recall
        }
        return points
    }
}

/// A 600 × 420 canvas with a unit-square plot with axes, grid, ticks and a legend.
private struct Canvas {
    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
        "#7f7f7f", "#bcbd22",
    ]
    /// At least 600 × 420; wider and taller as the legend needs, so it is never cut off.
    var width: Double {
        max(600, left + plotWidth + 30 + Double(widestLegend) * 6.2 + 12, left + Double(footnoteText?.count ?? 0) * 5.6 + 12)
    }
    var height: Double { max(420, top + 10 + Double(legendLines) * 18 + 10, footnoteY + 12) }
    private var widestLegend = 0
    private var footnoteText: String?
    private var footnoteY: Double { top + plotHeight + 62 }
    let left = 60.0, top = 40.0, plotWidth = 300.0, plotHeight = 300.0
    let title: String, xTitle: String, yTitle: String
    private var body: [String] = []
    private var legendLines = 0

    init(title: String, xTitle: String, yTitle: String) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
    }

    func x(_ value: Double) -> String { coordinate(left + min(max(value, 0), 1) * plotWidth) }
    func y(_ value: Double) -> String { coordinate(top + (1 - min(max(value, 0), 1)) * plotHeight) }
    func coordinate(_ value: Double) -> String { String(format: "%.2f", value) }

    mutating func path(_ points: [(Double, Double)], color: String, dashed: Bool = false) {
        guard !points.isEmpty else { return }
        let data = points.enumerated().map { "\($0 == 0 ? "M" : "L")\(x($1.0)),\(y($1.1))" }.joined(separator: " ")
        let dash = dashed ? " stroke-dasharray=\"4 4\"" : ""
        body.append("<path d=\"\(data)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>")
    }

    mutating func dot(x xValue: Double, y yValue: Double, color: String, tooltip: String?) {
        let title = tooltip.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<circle cx=\"\(x(xValue))\" cy=\"\(y(yValue))\" r=\"4\" fill=\"\(color)\">\(title)</circle>")
    }

    /// A grey bar on the x axis over [lower, upper]; `share` 1 is a quarter of the plot height.
    mutating func bar(from lower: Double, to upper: Double, height share: Double, tooltip: String) {
        let barHeight = share * plotHeight * 0.25
        body.append(
            "<rect x=\"\(x(lower))\" y=\"\(coordinate(top + plotHeight - barHeight))\" "
                + "width=\"\(coordinate((upper - lower) * plotWidth))\" height=\"\(coordinate(barHeight))\" "
                + "fill=\"#cccccc\" stroke=\"white\"><title>\(Self.escape(tooltip))</title></rect>")
    }

    mutating func legend(_ text: String, color: String, dashed: Bool = false) {
        let rowY = top + 10 + Double(legendLines) * 18
        let textX = left + plotWidth + 30
        if dashed {
            body.append(
                "<line x1=\"\(coordinate(textX - 18))\" y1=\"\(coordinate(rowY - 4))\" x2=\"\(coordinate(textX - 4))\" "
                    + "y2=\"\(coordinate(rowY - 4))\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"4 4\"/>")
        } else {
            body.append(
                "<rect x=\"\(coordinate(textX - 16))\" y=\"\(coordinate(rowY - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            )
        }
        widestLegend = max(widestLegend, text.count)
        body.append(
            "<text x=\"\(coordinate(textX))\" y=\"\(coordinate(rowY))\" font-size=\"11\">\(Self.escape(text))</text>")
        legendLines += 1
    }

    /// One line of small print under the plot.
    mutating func footnote(_ text: String) {
        footnoteText = text
        body.append("<text x=\"\(coordinate(left))\" y=\"\(coordinate(footnoteY))\" font-size=\"10\" fill=\"#666666\">\(Self.escape(text))</text>")
    }

    mutating func note(_ text: String) {
        body.append(
            "<text x=\"\(x(0.5))\" y=\"\(y(0.5))\" text-anchor=\"middle\" font-size=\"14\" fill=\"#666666\">"
                + "\(Self.escape(text))</text>")
    }

    func render() -> String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
                + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">",
            "<title>\(Self.escape(title))</title>",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(coordinate(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(Self.escape(title))</text>",
        ]
        lines += axes()
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    private func axes() -> [String] {
        var lines: [String] = []
        for step in 0...5 {
            let value = Double(step) / 5
            let label = String(format: "%.1f", value)
            lines.append(
                "<line x1=\"\(x(value))\" y1=\"\(y(0))\" x2=\"\(x(value))\" y2=\"\(y(1))\" stroke=\"#eeeeee\"/>")
            lines.append(
                "<line x1=\"\(x(0))\" y1=\"\(y(value))\" x2=\"\(x(1))\" y2=\"\(y(value))\" stroke=\"#eeeeee\"/>")
            lines.append(
                "<text x=\"\(x(value))\" y=\"\(coordinate(top + plotHeight + 16))\" text-anchor=\"middle\" font-size=\"11\">\(label)</text>"
            )
            lines.append(
                "<text x=\"\(coordinate(left - 8))\" y=\"\(coordinate(top + (1 - value) * plotHeight + 4))\" text-anchor=\"end\" font-size=\"11\">\(label)</text>"
            )
        }
        lines.append(
            "<rect x=\"\(x(0))\" y=\"\(y(1))\" width=\"\(coordinate(plotWidth))\" height=\"\(coordinate(plotHeight))\" fill=\"none\" stroke=\"#333333\"/>"
        )
        lines.append(
            "<text x=\"\(x(0.5))\" y=\"\(coordinate(top + plotHeight + 36))\" text-anchor=\"middle\" font-size=\"12\">\(Self.escape(xTitle))</text>"
        )
        let yMiddle = coordinate(top + plotHeight / 2)
        lines.append(
            "<text x=\"18\" y=\"\(yMiddle)\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 18 \(yMiddle))\">\(Self.escape(yTitle))</text>"
        )
        return lines
    }

    /// Escapes text for XML character data and attribute values: the HTML report's escaping, whose output is also
    /// well-formed XML, since these charts are inlined there too.
    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
