import Foundation
import WardenCore

/// Reading labelled JSONL files (one ``LabelledExample`` per line; blank lines are skipped).
///
/// Errors are ``DatasetError`` values naming the file and line: malformed JSON, a missing field, a
/// field of the wrong type, or bytes that are not UTF-8.
public enum LabelledDataset {
    /// Reads every example of a JSONL file.
    /// - Throws: ``DatasetError`` for the first bad line, or when the file cannot be read.
    public static func load(_ url: URL) throws(DatasetError) -> [LabelledExample] {
        let reader = try LabelledDatasetReader(url: url)
        var examples: [LabelledExample] = []
        while let example = try reader.next() { examples.append(example) }
        return examples
    }

    /// Reads several files in the given order.
    public static func load(_ urls: [URL]) throws(DatasetError) -> [LabelledExample] {
        var examples: [LabelledExample] = []
        for url in urls { examples += try load(url) }
        return examples
    }

    /// The examples of a JSONL file as an asynchronous sequence that reads the file as it goes.
    ///
    /// The file is opened on the first `next()`; errors (``DatasetError``) surface there.
    public static func lines(of url: URL) -> Lines { Lines(url: url) }

    /// The `.jsonl` files directly inside `directory`, sorted by name.
    public static func files(in directory: URL) throws(DatasetError) -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .unreadable(file: directory.path, reason: LineReader.reason(error))
        }
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Decodes one line of a JSONL file.
    /// - Parameters:
    ///   - line: the line's bytes, without the newline.
    ///   - file: the file name used in errors.
    ///   - lineNumber: the 1-based line number used in errors.
    public static func decode(
        line: some Collection<UInt8>, file: String, lineNumber: Int
    ) throws(DatasetError) -> LabelledExample {
        try decode(LabelledExample.self, line: line, file: file, lineNumber: lineNumber)
    }

    /// Decodes one line of a JSONL file as `type`, with the same errors (file, line, field).
    public static func decode<Item: Decodable>(
        _ type: Item.Type, line: some Collection<UInt8>, file: String, lineNumber: Int
    ) throws(DatasetError) -> Item {
        if let offset = firstInvalidUTF8Offset(line) {
            throw .invalidUTF8(file: file, line: lineNumber, byteOffset: offset)
        }
        do {
            return try JSONDecoder().decode(Item.self, from: Data(line))
        } catch let error as DecodingError {
            throw describe(error, file: file, line: lineNumber)
        } catch {
            throw .malformedJSON(file: file, line: lineNumber, detail: "\(error)")
        }
    }

    // MARK: - Error mapping

    private static func describe(_ error: DecodingError, file: String, line: Int) -> DatasetError {
        switch error {
        case .keyNotFound(let key, let context):
            return .missingField(file: file, line: line, field: path(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            return .wrongType(file: file, line: line, field: path(context.codingPath), expected: name(of: type))
        case .valueNotFound(let type, let context):
            return .wrongType(
                file: file, line: line, field: path(context.codingPath),
                expected: "\(name(of: type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .malformedJSON(file: file, line: line, detail: context.debugDescription)
            }
            return .wrongType(
                file: file, line: line, field: path(context.codingPath), expected: context.debugDescription)
        @unknown default:
            return .malformedJSON(file: file, line: line, detail: "\(error)")
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPathText(codingPath, root: "(top level)")
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [String].Type: "an array of strings"
        case is [String: JSONValue].Type: "an object"
        default: "\(type)"
        }
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence, if any.
    private static func firstInvalidUTF8Offset(_ bytes: some Collection<UInt8>) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
