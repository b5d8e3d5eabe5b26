import WardenCore
import WardenTokenizer

/// Turns a conversation into the token windows the encoder scores.
///
/// - `input`: segment A is the last user turn, preceded by earlier turns as context
///   (`role: text` lines) truncated from the left, so the words nearest the judged turn survive.
/// - `output`: segment A is the user turn before the judged assistant turn, segment B the assistant turn.
///
/// A judged turn longer than one window is split into overlapping windows (`overlap` pieces shared
/// by neighbours); the classifier max-pools their scores, so harmful text late in a long input is
/// not lost to truncation. In `output` windows the prompt is cut to a quarter of the window, keeping
/// its end, so most of each window is response.
public struct ModelInputBuilder: Sendable {
    public let tokenizer: any Tokenizer
    public let maxLength: Int
    public let overlap: Int
    /// Applied to every message before tokenization; nil keeps text as it is.
    public let normalize: (@Sendable (String) -> String)?

    /// The overlap every recipe trains with (and writes as the bundle's `window_overlap`): a quarter of the window, so
    /// a phrase cut by one window boundary is whole in the next.
    public static func standardOverlap(maxLength: Int) -> Int { maxLength / 4 }

    public init(tokenizer: any Tokenizer, maxLength: Int, overlap: Int, normalize: (@Sendable (String) -> String)? = nil) {
        precondition(maxLength > 8 && overlap >= 0 && overlap < maxLength - 3)
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.overlap = overlap
        self.normalize = normalize
    }

    private func pieces(_ text: String) -> [Int32] {
        tokenizer.pieceIDs(normalize?(text) ?? text)
    }

    /// The windows to score for `input`, at least one.
    public func windows(for input: ClassificationInput) -> [Encoding] {
        let messages = input.conversation.messages
        switch input.direction {
        case .input:
            guard let judged = input.conversation.judgedIndex(for: .input) else { return [tokenizer.assemble(first: [], second: nil)] }
            let turn = pieces(messages[judged].content)
            let budget = maxLength - 2
            if turn.count > budget {
                return slide(turn, width: budget).map { tokenizer.assemble(first: $0, second: nil) }
            }
            let context = messages[..<judged].map { "\($0.role.rawValue): \($0.content)" }.joined(separator: "\n")
            let contextPieces = context.isEmpty ? [] : pieces(context).suffix(budget - turn.count)
            return [tokenizer.assemble(first: Array(contextPieces) + turn, second: nil)]
        case .output:
            guard let judged = input.conversation.judgedIndex(for: .output) else { return [tokenizer.assemble(first: [], second: nil)] }
            let response = pieces(messages[judged].content)
            let prompt = messages[..<judged].last { $0.role == .user }.map { pieces($0.content) } ?? []
            // BERT frames a pair with 3 special tokens, XLM-R with 4.
            let budget = maxLength - (tokenizer.family == .sentencePiece ? 4 : 3)
            if prompt.count + response.count <= budget {
                return [tokenizer.assemble(first: prompt, second: response)]
            }
            let promptShare = min(prompt.count, max(budget - response.count, budget / 4))
            let promptTail = Array(prompt.suffix(promptShare))
            return slide(response, width: budget - promptTail.count).map {
                tokenizer.assemble(first: promptTail, second: $0)
            }
        }
    }

    /// Overlapping windows of `width` pieces covering all of `pieces`; the last window ends at the end.
    func slide(_ pieces: [Int32], width: Int) -> [[Int32]] {
        guard pieces.count > width else { return [pieces] }
        let step = max(width - overlap, 1)
        var windows: [[Int32]] = []
        var start = 0
        while true {
            let end = min(start + width, pieces.count)
            windows.append(Array(pieces[start..<end]))
            if end == pieces.count { break }
            start = min(start + step, pieces.count - width)
        }
        return windows
    }
}
