import Foundation
import WardenCore

/// Plain-text views of audit data for terminals: fixed-width tables, UTC times.
public enum AuditTextFormatter {
    /// A listing: one row per event, with the snippet under it for searches.
    public static func table(_ page: AuditPage) -> String {
        guard !page.events.isEmpty else { return "No matching events.\n" }
        var rows = [["TIME (UTC)", "ID", "DIR", "DECISION", "UNSAFE", "CATEGORIES", "REVIEW", "REASON"]]
        var snippets: [String?] = [nil]
        for event in page.events {
            let categories = event.codes.isEmpty ? event.categories : event.codes
            rows.append([
                timestamp(event.time), String(event.id.uuidString.prefix(8)), event.direction.rawValue,
                event.decision.rawValue, score(event.unsafeScore), categories.joined(separator: ","),
                reviewLabel(event), truncated(event.reason, 48),
            ])
            snippets.append(event.snippet)
        }
        var text = ""
        for (line, snippet) in zip(render(rows), snippets) {
            text += line + "\n"
            if let snippet { text += "    " + truncated(singleLine(snippet), 110) + "\n" }
        }
        if let cursor = page.nextCursor { text += "More: --cursor \(cursor)\n" }
        return text
    }

    /// One event with its conversation, violations, scores and reviews.
    public static func detail(_ detail: AuditEventDetail) -> String {
        let event = detail.event
        var text = "Event \(event.id.uuidString)\n"
        let caller = event.caller.map { "  caller \($0)" } ?? ""
        text += "  time      \(timestamp(event.time)) UTC\(caller)\n"
        text += "  verdict   \(event.decision.rawValue) (\(event.direction.rawValue)): \(event.reason)\n"
        text += "  policy    \(event.policyID) \(truncated(event.policyHash, 16))   model \(event.modelID)"
        text += "   latency \(String(format: "%.1f", event.latencyMilliseconds)) ms\n"
        text += "\nMessages\n"
        for (position, message) in event.messages.enumerated() {
            let body: String
            if let content = message.content {
                body = content
            } else if let hash = message.contentHash {
                body = "(text not stored; sha256 \(hash))"
            } else {
                body = "(text not stored)"
            }
            text += "  [\(position)] \(message.role.rawValue): \(indented(body))\n"
        }
        if !event.violations.isEmpty {
            text += "\nViolations\n"
            var rows = [["CATEGORY", "CODE", "SCORE", "THRESHOLD", "DECISION", "RULE"]]
            for violation in event.violations {
                rows.append([
                    violation.category.rawValue, violation.code ?? "-", score(violation.score),
                    score(violation.threshold), violation.decision.rawValue, violation.rule,
                ])
            }
            text += render(rows).map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        if !event.scores.isEmpty {
            text += "\nScores\n"
            let sorted = event.scores.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
            let rows = sorted.map { [$0.key, score($0.value)] }
            text += render(rows).map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        text += "\nReviews\n"
        if detail.reviews.isEmpty { text += "  (none)\n" }
        for review in detail.reviews {
            let label = review.unsafe ? "unsafe" : "safe"
            let categories = review.categories.isEmpty ? "" : " " + review.categories.joined(separator: ",")
            let note = review.note.map { ": \($0)" } ?? ""
            text += "  \(timestamp(review.time)) \(review.reviewer) \(label)\(categories)\(note)\n"
        }
        return text
    }

    /// Totals, decisions, categories and days.
    public static func statistics(_ statistics: AuditStatistics) -> String {
        var text = "Events: \(statistics.total)   reviewed: \(statistics.reviewed)\n\nDecisions\n"
        text += indentedTable([["DECISION", "EVENTS"]] + statistics.byDecision.map { [$0.key, String($0.count)] })
        text += "\nCategories (events with a violation)\n"
        text += statistics.byCategory.isEmpty
            ? "  (none)\n"
            : indentedTable([["CATEGORY", "EVENTS"]] + statistics.byCategory.map { [$0.key, String($0.count)] })
        text += "\nPer day (UTC)\n"
        text += statistics.byDay.isEmpty
            ? "  (none)\n"
            : indentedTable(
                [["DAY", "EVENTS", "REVIEW", "BLOCK"]]
                    + statistics.byDay.map { [$0.day, String($0.total), String($0.review), String($0.block)] })
        return text
    }

    // MARK: - Helpers

    /// Left-aligned columns separated by two spaces; numbers are not special-cased.
    static func render(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    private static func indentedTable(_ rows: [[String]]) -> String {
        render(rows).map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
            c.minute ?? 0, c.second ?? 0)
    }

    private static func score(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return String(format: "%.3f", value)
    }

    private static func reviewLabel(_ event: AuditEventSummary) -> String {
        guard let unsafe = event.reviewedUnsafe else { return "-" }
        let label = unsafe ? "unsafe" : "safe"
        return event.reviewCount > 1 ? "\(label) (\(event.reviewCount))" : label
    }

    private static func truncated(_ text: String, _ length: Int) -> String {
        let line = singleLine(text)
        return line.count <= length ? line : String(line.prefix(length - 1)) + "…"
    }

    private static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n      ")
    }
}
