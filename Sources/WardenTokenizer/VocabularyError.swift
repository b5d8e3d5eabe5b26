import Foundation

/// Why a WordPiece vocabulary could not be loaded. Each message names the file and what to fix.
public enum VocabularyError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case notUTF8(path: String)
    case empty(path: String)
    case emptyToken(path: String, line: Int)
    case duplicateToken(path: String, token: String, firstLine: Int, line: Int)
    case missingSpecialTokens(path: String, tokens: [String])

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "Vocabulary file not found at \(path). Fetch the base model (`warden model fetch`) "
                + "or pass the path of a BERT `vocab.txt`."
        case .unreadable(let path, let reason):
            return "Could not read the vocabulary file \(path): \(reason)."
        case .notUTF8(let path):
            return "The vocabulary file \(path) is not valid UTF-8; a BERT `vocab.txt` has one UTF-8 token per line."
        case .empty(let path):
            return "The vocabulary file \(path) has no tokens; a BERT `vocab.txt` has one token per line."
        case .emptyToken(let path, let line):
            return "The vocabulary file \(path) has an empty token on line \(line); remove the blank line "
                + "(token ids are line numbers, so check that the file is the one the model was trained with)."
        case .duplicateToken(let path, let token, let firstLine, let line):
            return "The vocabulary file \(path) lists the token \"\(token)\" twice (lines \(firstLine) and \(line)); "
                + "each token must appear once."
        case .missingSpecialTokens(let path, let tokens):
            return "The vocabulary file \(path) lacks the special token(s) \(tokens.joined(separator: ", ")); "
                + "an uncased BERT vocabulary has [PAD], [UNK], [CLS], [SEP] and [MASK]."
        }
    }

    public var errorDescription: String? { description }
}
