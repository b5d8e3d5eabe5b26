import WardenCore

/// The bookkeeping of one moderated stream: the answer so far, what was checked, what was released.
///
/// Offsets are UTF-8 byte offsets into ``text`` and always fall on chunk boundaries (a check covers
/// the text up to the end of the last chunk it saw), so slicing never cuts a character.
struct StreamModeration: Sendable {
    let options: GuardedGenerator.StreamingOptions
    private(set) var text = ""
    /// End of the text that was released to the caller.
    private(set) var released = 0
    /// End of the text that passed a check.
    private(set) var checkedUpTo = 0
    private(set) var chunksSinceCheck = 0
    private(set) var charactersSinceCheck = 0
    private(set) var checkInFlight = false
    private(set) var upstreamEnded = false
    private(set) var finishReason: FinishReason?
    /// Chunks received from the backend.
    private(set) var chunksReceived = 0

    init(options: GuardedGenerator.StreamingOptions) {
        self.options = options
    }

    /// A window of the answer to check, and the offset up to which it covers the answer.
    struct Window: Sendable {
        var text: String
        var upTo: Int
        var isFinal: Bool
    }

    var length: Int { text.utf8.count }

    mutating func append(_ chunk: ChatChunk) {
        text += chunk.delta
        chunksReceived += 1
        chunksSinceCheck += 1
        charactersSinceCheck += chunk.delta.count
        if let reason = chunk.finishReason { finishReason = reason }
    }

    mutating func endUpstream() { upstreamEnded = true }

    /// Whether a periodic check should start now.
    var periodicCheckDue: Bool {
        !checkInFlight && !upstreamEnded && length > checkedUpTo
            && (chunksSinceCheck >= options.checkEveryChunks || charactersSinceCheck >= options.checkEveryCharacters)
    }

    /// Whether the final check (of the whole answer) should start now.
    var finalCheckDue: Bool { !checkInFlight && upstreamEnded }

    /// Starts a check: periodic checks judge the last `windowCharacters` characters, stretched back
    /// to the first unchecked character; the final check judges the whole answer.
    mutating func beginCheck(final: Bool) -> Window {
        checkInFlight = true
        chunksSinceCheck = 0
        charactersSinceCheck = 0
        if final { return Window(text: text, upTo: length, isFinal: true) }
        let windowStart = text.index(text.endIndex, offsetBy: -options.windowCharacters, limitedBy: text.startIndex) ?? text.startIndex
        let start = min(text.utf8.distance(from: text.startIndex, to: windowStart), checkedUpTo)
        return Window(text: slice(from: start, to: length), upTo: length, isFinal: false)
    }

    /// Records a check that passed.
    mutating func checkPassed(_ window: Window) {
        checkInFlight = false
        checkedUpTo = max(checkedUpTo, window.upTo)
    }

    /// Text that may be released now, and marks it released. `holdBack` releases only checked text.
    mutating func takeReleasable(mode: GuardedGenerator.StreamMode) -> String? {
        let target = mode == .holdBack ? checkedUpTo : length
        guard target > released else { return nil }
        defer { released = target }
        return slice(from: released, to: target)
    }

    private func slice(from start: Int, to end: Int) -> String {
        String(decoding: text.utf8.dropFirst(start).prefix(end - start), as: UTF8.self)
    }
}
