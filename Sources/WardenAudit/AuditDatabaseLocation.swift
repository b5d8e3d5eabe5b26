import Foundation

/// Where the audit database lives when no path is given.
public enum AuditDatabaseLocation {
    /// `$WARDEN_AUDIT_DB`, else `$WARDEN_HOME/audit.sqlite`, else `~/.cache/warden/audit.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["WARDEN_AUDIT_DB"], !path.isEmpty { return expandingTilde(path) }
        if let home = environment["WARDEN_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: expandingTilde(home)).appendingPathComponent("audit.sqlite").path
        }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.path
        return URL(fileURLWithPath: userHome).appendingPathComponent(".cache/warden/audit.sqlite").path
    }

    static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return FileManager.default.homeDirectoryForCurrentUser.path + path.dropFirst()
    }
}

/// Reads the time spellings the CLI and the HTTP API accept.
public enum AuditTimeParsing {
    /// `30d`, `12h`, `45m`, `2w` (also `90s`) as a number of seconds; `nil` when not of that form.
    public static func duration(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let amount = Double(trimmed.dropLast()), amount >= 0, amount.isFinite else {
            return nil
        }
        switch unit {
        case "s": return amount
        case "m": return amount * 60
        case "h": return amount * 3_600
        case "d": return amount * 86_400
        case "w": return amount * 604_800
        default: return nil
        }
    }

    /// An absolute time (`2025-01-31`, `2025-01-31T12:00:00Z`) or a duration before `now` (`7d`).
    public static func date(_ text: String, now: Date = Date()) -> Date? {
        if let seconds = duration(text) { return now.addingTimeInterval(-seconds) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        let dayOnly = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()
        return try? Date(trimmed, strategy: dayOnly)
    }
}
