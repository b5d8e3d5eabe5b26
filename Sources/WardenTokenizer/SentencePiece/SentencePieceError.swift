import Foundation

/// Why a SentencePiece vocabulary or normalisation map could not be loaded. Each message names the file and
/// the line at fault, and what to do.
public enum SentencePieceError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case notUTF8(path: String)
    case empty(path: String)
    case malformedLine(path: String, line: Int, reason: String)
    case duplicatePiece(path: String, piece: String, firstLine: Int, line: Int)
    case missingSpecialPieces(path: String, pieces: [String])

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "SentencePiece file not found at \(path). Fetch the multilingual base "
                + "(`warden model fetch --base multilingual-e5-small`)."
        case .unreadable(let path, let reason):
            return "Could not read the SentencePiece file \(path): \(reason)."
        case .notUTF8(let path):
            return "The SentencePiece file \(path) is not valid UTF-8; fetch the base again with `--force`."
        case .empty(let path):
            return "The SentencePiece file \(path) is empty; fetch the base again with `--force`."
        case .malformedLine(let path, let line, let reason):
            return "The SentencePiece file \(path) is malformed on line \(line): \(reason). "
                + "Fetch the base again with `warden model fetch --base multilingual-e5-small --force`."
        case .duplicatePiece(let path, let piece, let firstLine, let line):
            return "The SentencePiece vocabulary \(path) lists the piece \"\(piece)\" twice (lines \(firstLine) and \(line)); "
                + "piece ids are line numbers, so each piece must appear once."
        case .missingSpecialPieces(let path, let pieces):
            return "The SentencePiece vocabulary \(path) lacks the special piece(s) \(pieces.joined(separator: ", ")); "
                + "an XLM-R vocabulary has <s>, <pad>, </s> and <unk>."
        }
    }

    public var errorDescription: String? { description }
}

/// Reads a UTF-8 text file as lines (a final newline ends the last line; `\r` before `\n` is dropped).
enum TextLines {
    static func read(_ url: URL) throws -> [Substring] {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw SentencePieceError.fileNotFound(path: path) }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SentencePieceError.unreadable(path: path, reason: error.localizedDescription)
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw SentencePieceError.notUTF8(path: path) }
        // Split on "\n" scalars, not `Character`s: Swift reads "\r\n" as one `Character`.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            Substring(line.last == "\r" ? line.dropLast() : line)
        }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw SentencePieceError.empty(path: path) }
        return lines
    }
}
