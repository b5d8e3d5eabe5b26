import Foundation

/// Writes labelled examples as JSONL in the shared schema, keys in schema order
/// (`id, source, prompt, response, unsafe, categories, categories_partial, orig_labels`;
/// `categories_partial` only when true), one example per line.
public final class LabelledDatasetWriter {
    private static let flushSize = 1 << 20

    public let url: URL
    private let handle: FileHandle
    private var pending = Data()
    private var closed = false

    /// Creates (or truncates) the file at `url`.
    public init(url: URL) throws(DatasetError) {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw .unwritable(file: url.path, reason: "the file cannot be created; check the folder exists")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw .unwritable(file: url.path, reason: LineReader.reason(error))
        }
    }

    deinit { try? close() }

    /// Appends one example.
    public func write(_ example: LabelledExample) throws(DatasetError) {
        pending.append(try Self.encodeLine(example, file: url.path))
        pending.append(UInt8(ascii: "\n"))
        if pending.count >= Self.flushSize { try flush() }
    }

    /// Writes what is buffered and closes the file; further writes are an error.
    public func close() throws(DatasetError) {
        guard !closed else { return }
        try flush()
        closed = true
        do { try handle.close() } catch { throw .unwritable(file: url.path, reason: LineReader.reason(error)) }
    }

    private func flush() throws(DatasetError) {
        guard !closed else { throw .unwritable(file: url.path, reason: "the writer is already closed") }
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw .unwritable(file: url.path, reason: LineReader.reason(error))
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The JSON line for one example, without the newline.
    public static func encodeLine(_ example: LabelledExample, file: String = "-") throws(DatasetError) -> Data {
        let encoder = JSONEncoder()
        // Sorted keys inside orig_labels keep the output identical from run to run.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        typealias Key = LabelledExample.CodingKeys
        var fields: [(Key, any Encodable)] = [
            (.id, example.id), (.source, example.source), (.prompt, example.prompt),
        ]
        if let response = example.response { fields.append((.response, response)) }
        fields.append((.unsafe, example.unsafe))
        fields.append((.categories, example.categories))
        if example.categoriesPartial == true { fields.append((.categoriesPartial, true)) }
        if let origLabels = example.origLabels { fields.append((.origLabels, origLabels)) }

        var line = Data("{".utf8)
        do {
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                line.append(try encoder.encode(key.rawValue))
                line.append(UInt8(ascii: ":"))
                line.append(try encoder.encode(value))
            }
        } catch {
            throw .unwritable(file: file, reason: "example \(example.id) cannot be encoded: \(error)")
        }
        line.append(UInt8(ascii: "}"))
        return line
    }
}

extension LabelledDataset {
    /// Writes `examples` to `url` as JSONL, replacing the file.
    public static func write(_ examples: [LabelledExample], to url: URL) throws(DatasetError) {
        let writer = try LabelledDatasetWriter(url: url)
        for example in examples { try writer.write(example) }
        try writer.close()
    }
}
