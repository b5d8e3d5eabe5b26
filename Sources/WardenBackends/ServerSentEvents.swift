/// Splits a byte stream into server-sent events (the `text/event-stream` format).
///
/// Only what chat completion streams use: `data:` lines (several in one event are joined with
/// newlines), a blank line ending an event, `:` comments and other fields ignored. Bytes may be
/// split anywhere across network reads, including inside a line or a UTF-8 character.
struct ServerSentEventParser: Sendable {
    /// One event's data and the line number where it started, for error messages.
    struct Event: Sendable, Equatable {
        var data: String
        var line: Int
    }

    private var pending: [UInt8] = []
    private var dataLines: [String] = []
    private var eventLine = 0
    private(set) var lineNumber = 0

    /// Feeds bytes; returns the events they completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                if let event = takeLine() { events.append(event) }
            } else {
                pending.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: a last event without its closing blank line is still delivered.
    mutating func finish() -> Event? {
        if !pending.isEmpty, let event = takeLine() { return event }
        return dispatch()
    }

    private mutating func takeLine() -> Event? {
        lineNumber += 1
        let line = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        if line.isEmpty { return dispatch() }
        if line.hasPrefix(":") { return nil }
        let (field, value) = Self.split(line)
        if field == "data" {
            if dataLines.isEmpty { eventLine = lineNumber }
            dataLines.append(value)
        }
        return nil
    }

    private mutating func dispatch() -> Event? {
        guard !dataLines.isEmpty else { return nil }
        defer { dataLines.removeAll() }
        return Event(data: dataLines.joined(separator: "\n"), line: eventLine)
    }

    /// `field: value` with one optional space after the colon; a line without a colon is a field with an empty value.
    private static func split(_ line: String) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (line, "") }
        var value = line[line.index(after: colon)...]
        if value.first == " " { value = value.dropFirst() }
        return (String(line[..<colon]), String(value))
    }
}
