import Foundation

/// Number formatting shared by the Markdown and SVG writers; always a `.` decimal point.
enum ReportFormat {
    /// `0.912`, or `–` when the value is undefined.
    static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    /// `0.912 [0.897, 0.925]`, the point estimate with its interval when there is one.
    static func estimate(_ estimate: Estimate?, digits: Int = 3) -> String {
        guard let estimate else { return "–" }
        let value = number(estimate.value, digits: digits)
        guard let interval = estimate.interval else { return value }
        return "\(value) [\(number(interval.lower, digits: digits)), \(number(interval.upper, digits: digits))]"
    }

    /// A percentage such as `5%` or `2.5%`.
    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return abs(value.rounded() - value) < 1e-9 ? "\(Int(value.rounded()))%" : String(format: "%.1f%%", value)
    }

    /// Text safe inside a Markdown table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A Markdown table.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var lines = ["| " + header.map(cell).joined(separator: " | ") + " |"]
        lines.append(
            "|" + header.indices.map { rightAligned.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|")
        for row in rows { lines.append("| " + row.map(cell).joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n")
    }
}
