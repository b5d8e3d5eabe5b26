import WardenCore

/// How both stores read the aggregated text columns of an event summary (codes and categories joined with the
/// unit separator, U+001F), so SQLite and PostgreSQL summaries decode alike.
package enum AuditRowText {
    /// The `source` column; NULL (events older than the column) and unknown values read as unknown.
    package static func source(_ text: String?) -> VerdictSource? {
        text.flatMap(VerdictSource.init(rawValue:))
    }

    /// The parts of a joined column; none for NULL or empty.
    package static func split(_ joined: String?) -> [String] {
        guard let joined, !joined.isEmpty else { return [] }
        return joined.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }

    /// First occurrences only (two violations may share a code: a category and the overall label naming it).
    package static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
