import Foundation

/// Receives the words of ``BasicTokenizer`` one at a time, as normalized UTF-8.
protocol WordConsumer {
    mutating func consume(word: UnsafeBufferPointer<UInt8>, scalarCount: Int)
}

/// BERT's uncased normalizer and pre-tokenizer in one pass: the `BertNormalizer` (clean text, space out CJK
/// ideographs, NFD, drop nonspacing marks, lowercase, in Rust's order) followed by `BertPreTokenizer`
/// (split on whitespace, and make each punctuation scalar its own word).
///
/// It works over Unicode scalars, never `Character`s: Swift groups Hangul jamo and emoji sequences into one
/// `Character`, which would break `안` → `ᄋ ##ᅡ ##ᆫ` and miscount the word-length limit. ASCII and most of
/// the Basic Multilingual Plane go through lookup tables (``NormalizationTable``); only scalars that NFD
/// changes (accented letters, Hangul syllables…) and those beyond U+FFFF go through Foundation's NFD.
public struct BasicTokenizer: Sendable {
    public init() {}

    /// The normalized words of `text` (for inspection and tests; the tokenizer streams them instead).
    public func words(_ text: String) -> [String] {
        struct Collector: WordConsumer {
            var words: [String] = []
            mutating func consume(word: UnsafeBufferPointer<UInt8>, scalarCount: Int) {
                words.append(String(decoding: word, as: UTF8.self))
            }
        }
        var collector = Collector()
        var text = text
        text.withUTF8 { forEachWord(in: $0, consumer: &collector) }
        return collector.words
    }

    /// Normalizes and splits `bytes` (valid UTF-8), handing each word to `consumer`.
    func forEachWord<Consumer: WordConsumer>(in bytes: UnsafeBufferPointer<UInt8>, consumer: inout Consumer) {
        var state = WordState()
        // Raw UTF-8 of the non-ASCII scalars awaiting NFD (deleted scalars are left out).
        var pending: [UInt8] = []
        let asciiClass = ScalarClass.ascii
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index &+= 1
                if !pending.isEmpty { state.normalize(&pending, consumer: &consumer) }
                switch asciiClass[Int(byte)] {
                case .deleted: continue
                case .whitespace: state.endWord(consumer: &consumer)
                case .punctuation: state.isolate(byte, consumer: &consumer)
                case .word, .cjkIdeograph:
                    state.word.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                    state.scalarCount &+= 1
                }
                continue
            }
            let (scalar, length) = decodeScalar(bytes, at: index)
            let scalarBytes = UnsafeBufferPointer(rebasing: bytes[index..<(index &+ length)])
            index &+= length
            if scalar.value < 0x10000 {
                let (kind, replacement) = NormalizationTable.lookup(scalar.value)
                if kind == .complex {
                    pending.append(contentsOf: scalarBytes)
                    continue
                }
                if kind == .drop { continue }
                if !pending.isEmpty { state.normalize(&pending, consumer: &consumer) }
                switch kind {
                case .whitespace: state.endWord(consumer: &consumer)
                case .punctuation, .ideograph: state.isolate(replacement, consumer: &consumer)
                case .word: state.append(replacement)
                case .complex, .drop: break
                }
                continue
            }
            switch ScalarClass.classify(scalar) {
            case .deleted:
                // Deleting joins the neighbours, so a pending run goes on across it, as in Rust.
                continue
            case .whitespace:
                if !pending.isEmpty { state.normalize(&pending, consumer: &consumer) }
                state.endWord(consumer: &consumer)
            case .cjkIdeograph:
                if !pending.isEmpty { state.normalize(&pending, consumer: &consumer) }
                state.endWord(consumer: &consumer)
                // Compatibility ideographs (U+2F800…) have canonical decompositions, so they go through NFD too.
                pending.append(contentsOf: scalarBytes)
                state.normalize(&pending, consumer: &consumer)
                state.endWord(consumer: &consumer)
            case .punctuation, .word:
                pending.append(contentsOf: scalarBytes)
            }
        }
        if !pending.isEmpty { state.normalize(&pending, consumer: &consumer) }
        state.endWord(consumer: &consumer)
    }
}

/// The word being built, in normalized UTF-8.
private struct WordState {
    var word: [UInt8] = []
    var scalarCount = 0

    init() { word.reserveCapacity(64) }

    mutating func endWord<Consumer: WordConsumer>(consumer: inout Consumer) {
        guard !word.isEmpty else { return }
        word.withUnsafeBufferPointer { consumer.consume(word: $0, scalarCount: scalarCount) }
        word.removeAll(keepingCapacity: true)
        scalarCount = 0
    }

    /// Emits one ASCII punctuation byte as a word of its own.
    mutating func isolate<Consumer: WordConsumer>(_ byte: UInt8, consumer: inout Consumer) {
        endWord(consumer: &consumer)
        word.append(byte)
        scalarCount = 1
        endWord(consumer: &consumer)
    }

    /// Emits one normalized scalar as a word of its own.
    mutating func isolate<Consumer: WordConsumer>(_ scalar: Unicode.Scalar, consumer: inout Consumer) {
        endWord(consumer: &consumer)
        append(scalar)
        endWord(consumer: &consumer)
    }

    /// Adds one normalized, lowercased scalar to the word.
    @inline(__always)
    mutating func append(_ scalar: Unicode.Scalar) {
        scalar.appendUTF8(to: &word)
        scalarCount &+= 1
    }

    /// NFD, drop nonspacing marks, lowercase (Rust's order), then split the result like any other text.
    /// A run never spans ASCII, whitespace or an ideograph; those are starters, so NFD of the runs equals
    /// NFD of the whole text.
    mutating func normalize<Consumer: WordConsumer>(_ run: inout [UInt8], consumer: inout Consumer) {
        let decomposed = String(decoding: run, as: UTF8.self).decomposedStringWithCanonicalMapping
        run.removeAll(keepingCapacity: true)
        for scalar in decomposed.unicodeScalars {
            if scalar.isASCII {
                add(Unicode.Scalar(UInt8(scalar.value)), consumer: &consumer)
                continue
            }
            if ScalarClass.rustCategory(of: scalar) == .nonspacingMark { continue }
            let properties = scalar.properties
            if properties.changesWhenLowercased {
                // Full, context-free lowercase mapping: Σ → σ everywhere, as Rust's `char::to_lowercase`.
                for lower in properties.lowercaseMapping.unicodeScalars { add(lower, consumer: &consumer) }
            } else {
                add(scalar, consumer: &consumer)
            }
        }
    }

    /// Adds one normalized scalar: whitespace ends the word, punctuation stands alone, anything else joins.
    private mutating func add<Consumer: WordConsumer>(_ scalar: Unicode.Scalar, consumer: inout Consumer) {
        let scalarClass = scalar.isASCII ? ScalarClass.ascii[Int(scalar.value)] : ScalarClass.classify(scalar)
        switch scalarClass {
        case .whitespace:
            endWord(consumer: &consumer)
        case .punctuation:
            isolate(scalar, consumer: &consumer)
        case .word, .cjkIdeograph, .deleted:
            // Text cleaning already ran on the raw text; Rust does not clean again after NFD.
            append(scalar.isASCII && scalar.value >= 0x41 && scalar.value <= 0x5A
                   ? Unicode.Scalar(scalar.value | 0x20)! : scalar)
        }
    }
}
