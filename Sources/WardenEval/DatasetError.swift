import Foundation

/// A problem reading or writing a labelled JSONL file; every case names the file and, where there is
/// one, the 1-based line, so the user can open the file at the right place.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case unreadable(file: String, reason: String)
    case unwritable(file: String, reason: String)
    case invalidUTF8(file: String, line: Int, byteOffset: Int)
    case malformedJSON(file: String, line: Int, detail: String)
    case missingField(file: String, line: Int, field: String)
    case wrongType(file: String, line: Int, field: String, expected: String)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let file, _), .unwritable(let file, _),
            .invalidUTF8(let file, _, _), .malformedJSON(let file, _, _),
            .missingField(let file, _, _), .wrongType(let file, _, _, _):
            file
        }
    }

    /// The 1-based line the error is on, if it is about a line.
    public var line: Int? {
        switch self {
        case .unreadable, .unwritable: nil
        case .invalidUTF8(_, let line, _), .malformedJSON(_, let line, _),
            .missingField(_, let line, _), .wrongType(_, let line, _, _):
            line
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the file (\(reason))"
        case .unwritable(let file, let reason):
            "\(file): cannot write the file (\(reason))"
        case .invalidUTF8(let file, let line, let offset):
            "\(file):\(line): the line is not valid UTF-8 (bad byte at offset \(offset) of the line); "
                + "re-encode the file as UTF-8"
        case .malformedJSON(let file, let line, let detail):
            "\(file):\(line): the line is not one JSON object (\(detail)); each line must be a single "
                + "object such as {\"id\": …, \"source\": …, \"prompt\": …, \"unsafe\": …, \"categories\": […]}"
        case .missingField(let file, let line, let field):
            "\(file):\(line): missing field \"\(field)\"; every line needs id, source, prompt, unsafe "
                + "and categories"
        case .wrongType(let file, let line, let field, let expected):
            "\(file):\(line): field \"\(field)\" should be \(expected)"
        }
    }

    public var errorDescription: String? { description }
}
