import Foundation

/// Reads a file line by line in fixed-size chunks, so a large JSONL file is never held in memory whole.
///
/// Lines end at `\n`; a trailing `\r` is dropped so files written on Windows read the same.
final class LineReader {
    private static let chunkSize = 1 << 20

    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var reachedEnd = false
    /// The 1-based number of the line most recently returned.
    private(set) var lineNumber = 0

    init(url: URL) throws(DatasetError) {
        path = url.path
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw .unreadable(file: url.path, reason: Self.reason(error))
        }
    }

    deinit { try? handle.close() }

    /// The next line without its terminator, or nil at the end of the file.
    func nextLine() throws(DatasetError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                return finish(line)
            }
            if reachedEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return finish(line)
            }
            try refill()
        }
    }

    private func finish(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        lineNumber += 1
        var line = line
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        // A UTF-8 byte order mark on the first line is not part of the JSON.
        if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        return line
    }

    private func refill() throws(DatasetError) {
        // Keep the unfinished tail of the buffer, drop what has been returned.
        buffer.removeSubrange(0..<start)
        start = 0
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: Self.chunkSize)
        } catch {
            throw .unreadable(file: path, reason: Self.reason(error))
        }
        if let chunk, !chunk.isEmpty {
            buffer.append(contentsOf: chunk)
        } else {
            reachedEnd = true
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
