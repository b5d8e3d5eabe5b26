import Foundation

/// Reads one labelled JSONL file an example at a time (synchronously); blank lines are skipped.
public final class LabelledDatasetReader {
    private let lines: LineReader
    private let fileName: String

    /// Opens `url` for reading.
    /// - Throws: ``DatasetError/unreadable(file:reason:)`` when the file cannot be opened.
    public init(url: URL) throws(DatasetError) {
        lines = try LineReader(url: url)
        fileName = url.path
    }

    /// The 1-based number of the line last read.
    public var lineNumber: Int { lines.lineNumber }

    /// The next example, or nil at the end of the file.
    /// - Throws: ``DatasetError`` naming the file and line of a bad line.
    public func next() throws(DatasetError) -> LabelledExample? {
        while let line = try lines.nextLine() {
            if line.allSatisfy(Self.isWhitespace) { continue }
            return try LabelledDataset.decode(line: line, file: fileName, lineNumber: lines.lineNumber)
        }
        return nil
    }

    /// The next line decoded as `type` (for files that are not labelled data, such as `warden check --jsonl` input).
    public func next<Item: Decodable>(_ type: Item.Type) throws(DatasetError) -> Item? {
        while let line = try lines.nextLine() {
            if line.allSatisfy(Self.isWhitespace) { continue }
            return try LabelledDataset.decode(type, line: line, file: fileName, lineNumber: lines.lineNumber)
        }
        return nil
    }

    /// Whether a byte is blank for JSONL purposes (a line of only these is skipped).
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}

extension LabelledDataset {
    /// An asynchronous sequence of the examples of one file; see ``LabelledDataset/lines(of:)``.
    public struct Lines: AsyncSequence, Sendable {
        public typealias Element = LabelledExample
        public let url: URL

        public func makeAsyncIterator() -> Iterator { Iterator(url: url) }

        public struct Iterator: AsyncIteratorProtocol {
            let url: URL
            private var reader: LabelledDatasetReader?
            private var finished = false

            init(url: URL) { self.url = url }

            public mutating func next() async throws -> LabelledExample? {
                guard !finished else { return nil }
                do {
                    if reader == nil { reader = try LabelledDatasetReader(url: url) }
                    guard let example = try reader?.next() else {
                        finished = true
                        reader = nil
                        return nil
                    }
                    return example
                } catch {
                    finished = true
                    reader = nil
                    throw error
                }
            }
        }
    }
}
