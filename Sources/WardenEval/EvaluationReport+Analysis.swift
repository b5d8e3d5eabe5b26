import WardenCore

/// `unsafe` per value of one field (`warden eval --group-by FIELD`).
public struct GroupReport: Codable, Sendable, Hashable {
    /// The field grouped by, such as `source` or `orig_labels.lang`.
    public var field: String
    /// One row per value (`source` holds the value), sorted by value.
    public var rows: [SourceReport]
    /// Items that have no value for the field.
    public var itemsWithoutValue: Int
    /// The value those items were counted under (`warden eval --untagged`), or nil when they are left out.
    public var untaggedAs: String?

    /// What the report says about the items without a value, or nil when there are none.
    var untaggedNote: String? {
        guard itemsWithoutValue > 0 else { return nil }
        if let untaggedAs { return "\(itemsWithoutValue) items have no \(field) and are counted as \(untaggedAs)." }
        return "\(itemsWithoutValue) items have no \(field) and are not in the table."
    }
}

/// The items one source gets most wrong at the operating threshold: what a user reads first to see *why*.
public struct SourceErrors: Codable, Sendable, Hashable {
    public var source: String
    /// Safe items with the highest `unsafe` scores that are flagged, highest first.
    public var falsePositives: [ScoredItem]
    /// Unsafe items with the lowest `unsafe` scores that are not flagged, lowest first.
    public var misses: [ScoredItem]
}

/// One item with its `unsafe` score and the start of its judged text.
public struct ScoredItem: Codable, Sendable, Hashable {
    public var id: String
    public var score: Double
    public var categories: [String]
    public var excerpt: String
}

extension LabelledExample {
    /// The value of `field` for grouping: `source`, `direction`, or `orig_labels.NAME` (strings, numbers and
    /// booleans as text); nil when the item has none.
    public func groupValue(of field: String) -> String? {
        switch field {
        case "source": return source
        case "direction": return direction.rawValue
        default:
            let prefix = "orig_labels."
            guard field.hasPrefix(prefix), let value = origLabels?[String(field.dropFirst(prefix.count))] else { return nil }
            switch value {
            case .string(let text): return text
            case .integer(let number): return String(number)
            case .number(let number): return String(number)
            case .bool(let flag): return String(flag)
            default: return nil
            }
        }
    }

    /// The judged turn, cut to `limit` characters on one line, for error lists.
    func excerpt(limit: Int = 160) -> String {
        let text = (response ?? prompt).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

extension EvaluationReport {
    /// The fields `--group-by` accepts, for error messages.
    public static let groupFieldHelp = "source, direction, or orig_labels.NAME (e.g. orig_labels.lang)"

    /// Adds one `unsafe` table per field, over the same items and scores the report was built from. Items without a
    /// value are counted as `untagged` when it is given (`en` for `orig_labels.lang`: the corpora that carry no
    /// language are English), and otherwise left out.
    public mutating func addGroups(
        _ fields: [String], examples: [LabelledExample], scores: [LabelScores], thresholds: [String: Double], untagged: String? = nil
    ) throws(EvaluationError) {
        let scorer = LabelScorer(examples: examples, scores: scores, thresholds: thresholds, options: options)
        var result = groups ?? []
        for field in fields {
            let rows = try scorer.groupReports { $0.groupValue(of: field) ?? untagged }
            let without = examples.filter { $0.groupValue(of: field) == nil }.count
            result.append(GroupReport(field: field, rows: rows, itemsWithoutValue: without, untaggedAs: untagged))
        }
        groups = result
    }

    /// Adds, per source, the `limit` flagged safe items with the highest scores and the `limit` missed unsafe items
    /// with the lowest. Items of `withheld` sources (`*`: every source) are listed by id and score without their text,
    /// for reports that are published while the data's licence forbids republishing it (RTP-LX, for one).
    public mutating func addErrors(
        examples: [LabelledExample], scores: [LabelScores], limit: Int = 5, withheld: Set<String> = []
    ) throws(EvaluationError) {
        guard examples.count == scores.count else { throw .scoreCountMismatch(examples: examples.count, scores: scores.count) }
        guard let threshold = label(LabelScores.unsafeLabel)?.threshold else { throw .missingThreshold(label: LabelScores.unsafeLabel) }
        var bySource: [String: [Int]] = [:]
        for index in examples.indices { bySource[examples[index].source, default: []].append(index) }
        func item(_ index: Int) -> ScoredItem {
            let source = examples[index].source
            return ScoredItem(id: examples[index].id, score: scores[index].unsafe, categories: examples[index].categories,
                              excerpt: withheld.contains(source) || withheld.contains("*") ? "(text withheld)" : examples[index].excerpt())
        }
        errors = bySource.keys.sorted().compactMap { source in
            let indices = bySource[source]!
            let falsePositives = indices.filter { !examples[$0].unsafe && scores[$0].unsafe >= threshold }
                .sorted { scores[$0].unsafe > scores[$1].unsafe }.prefix(limit).map(item)
            let misses = indices.filter { examples[$0].unsafe && scores[$0].unsafe < threshold }
                .sorted { scores[$0].unsafe < scores[$1].unsafe }.prefix(limit).map(item)
            return falsePositives.isEmpty && misses.isEmpty ? nil
                : SourceErrors(source: source, falsePositives: Array(falsePositives), misses: Array(misses))
        }
    }

    var groupSections: [String] {
        (groups ?? []).flatMap { group -> [String] in
            let table = ReportFormat.table(
                [group.field] + Self.sourceHeader, group.rows.map(Self.sourceRow), rightAligned: Set(1...6))
            let note = group.untaggedNote.map { "\n\n" + $0 } ?? ""
            return ["## `unsafe` by `\(group.field)`", table + note]
        }
    }

    var errorSection: [String] {
        guard let errors, !errors.isEmpty else { return [] }
        var lines: [String] = [
            "Per source, the flagged safe items with the highest `unsafe` scores (false positives) and the unsafe items with "
                + "the lowest scores below the threshold (misses). Texts are the judged turn, cut to 160 characters.",
        ]
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        for entry in errors {
            lines.append("### \(entry.source)")
            let rows = entry.falsePositives.map { ["false positive", $0.id, ReportFormat.number($0.score), "", escape($0.excerpt)] }
                + entry.misses.map { ["miss", $0.id, ReportFormat.number($0.score), $0.categories.joined(separator: " "), escape($0.excerpt)] }
            lines.append(ReportFormat.table(["error", "id", "unsafe", "categories", "text"], rows, rightAligned: [2]))
        }
        return ["## Errors: top false positives and misses by source", lines.joined(separator: "\n\n")]
    }
}
