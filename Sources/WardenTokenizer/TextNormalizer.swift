import Foundation

/// Undoes common obfuscation before classification, so `k1ll`, `kіll` (Cyrillic і), `k i l l` and
/// `k\u{200B}ill` reach the model as `kill`. It runs *before* ``BertTokenizer`` and is not part of BERT: the
/// golden parity tests use the tokenizer alone.
///
/// Steps, in order (each is an option, all on by default):
/// 1. ``Options/stripInvisible``: delete zero-width, bidi and other format (Cf) and default-ignorable
///    characters and control characters except `\n` and `\t` (`\r\n` and `\r` become `\n`).
/// 2. ``Options/compatibilityFolding``: Unicode NFKC (fullwidth `ＡＢＣ` → `ABC`, `ﬁ` → `fi`, `𝐁𝐨𝐥𝐝` → `Bold`).
/// 3. ``Options/foldHomoglyphs``: Cyrillic and Greek letters that look Latin → ASCII, in words that are
///    otherwise Latin (or, for words made only of lookalikes, when the text has no other Cyrillic/Greek).
/// 4. ``Options/joinSpacedLetters``: 4+ single letters separated by one space, dot or hyphen are joined
///    (`k i l l`, `b.o.m.b`, `s-u-i-c-i-d-e`); at least 3 of them must be letters.
/// 5. ``Options/collapseWhitespace``: runs of whitespace → one space (one `\n` if the run had a line
///    break); leading and trailing whitespace is trimmed.
/// 6. ``Options/foldLeetspeak``: in a word of letters and `0 1 3 4 5 7 $ @` where such a character sits
///    between letters (`k1ll`, `h4ck`, `m3th`), all of them fold to letters (`h0m3` → `home`).
///
/// Normal text, numbers, prices, dates, versions, code and URLs stay as they are (`2024-05-01`, `$100`,
/// `v1.2.3`, `mp3`, `0x1F`, `e.g.`, `I have 3 cats`, `A B testing`). Known casualties, accepted for
/// robustness: 4+ spaced single letters (`A B C D` → `ABCD`, `U.S.S.R.` → `USSR.`) and a few identifiers
/// with an inner digit (`log4j` → `logaj`).
public struct TextNormalizer: Sendable {
    public struct Options: Sendable, Equatable {
        public var stripInvisible: Bool
        public var compatibilityFolding: Bool
        public var foldHomoglyphs: Bool
        public var joinSpacedLetters: Bool
        public var collapseWhitespace: Bool
        public var foldLeetspeak: Bool

        public init(stripInvisible: Bool = true, compatibilityFolding: Bool = true, foldHomoglyphs: Bool = true,
                    joinSpacedLetters: Bool = true, collapseWhitespace: Bool = true, foldLeetspeak: Bool = true) {
            self.stripInvisible = stripInvisible
            self.compatibilityFolding = compatibilityFolding
            self.foldHomoglyphs = foldHomoglyphs
            self.joinSpacedLetters = joinSpacedLetters
            self.collapseWhitespace = collapseWhitespace
            self.foldLeetspeak = foldLeetspeak
        }

        /// Every step on.
        public static let `default` = Options()
        /// Every step off (``TextNormalizer/normalize(_:)`` returns the text unchanged).
        public static let none = Options(stripInvisible: false, compatibilityFolding: false, foldHomoglyphs: false,
                                         joinSpacedLetters: false, collapseWhitespace: false, foldLeetspeak: false)
    }

    public let options: Options

    public init(options: Options = .default) {
        self.options = options
    }

    /// The normalized text.
    public func normalize(_ text: String) -> String {
        guard options != .none else { return text }
        let isASCII = text.utf8.allSatisfy { $0 < 0x80 }
        var scalars = Array(text.unicodeScalars)
        if options.stripInvisible { scalars = Self.stripInvisible(scalars) }
        if options.compatibilityFolding && !isASCII { scalars = Self.compatibilityFold(scalars) }
        if options.foldHomoglyphs && !isASCII { Homoglyphs.fold(&scalars) }
        if options.joinSpacedLetters { SpacedLetters.join(&scalars) }
        if options.collapseWhitespace { scalars = Self.collapseWhitespace(scalars) }
        if options.foldLeetspeak { Leetspeak.fold(&scalars) }
        return String(scalars: scalars)
    }

    // MARK: - NFKC

    /// NFKC, calling Foundation only on the non-ASCII runs when there are few of them (an English request with
    /// one curly quote should not pay for NFKC over all of it). Each run takes the ASCII scalar before it, which
    /// a combining mark may compose with; nothing composes onto an ASCII scalar, so the pieces join exactly.
    static func compatibilityFold(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var runs: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            guard !scalars[index].isASCII else {
                index += 1
                continue
            }
            let start = index
            while index < scalars.count && !scalars[index].isASCII { index += 1 }
            runs.append(max(start - 1, 0)..<index)
        }
        let nfkc = { (part: ArraySlice<Unicode.Scalar>) in
            String(scalars: part).precomposedStringWithCompatibilityMapping.unicodeScalars
        }
        guard runs.count <= 8 else { return Array(nfkc(scalars[...])) }
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var done = 0
        for run in runs {
            output.append(contentsOf: scalars[done..<run.lowerBound])
            output.append(contentsOf: nfkc(scalars[run]))
            done = run.upperBound
        }
        output.append(contentsOf: scalars[done...])
        return output
    }

    // MARK: - Invisible characters and whitespace

    static func stripInvisible(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "\n", "\t":
                output.append(scalar)
            case "\r":
                // \r\n and a lone \r are both one line break.
                if index < scalars.count && scalars[index] == "\n" { index += 1 }
                output.append("\n")
            default:
                if scalar.isASCII {
                    if scalar.value >= 0x20 && scalar.value != 0x7F { output.append(scalar) }
                    continue
                }
                let properties = scalar.properties
                switch properties.generalCategory {
                case .control, .format, .surrogate:
                    continue
                default:
                    if !properties.isDefaultIgnorableCodePoint { output.append(scalar) }
                }
            }
        }
        return output
    }

    static func collapseWhitespace(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var pending: Unicode.Scalar?
        for scalar in scalars {
            if isWhitespace(scalar) {
                if isLineBreak(scalar) { pending = "\n" } else if pending == nil { pending = " " }
                continue
            }
            if let separator = pending, !output.isEmpty { output.append(separator) }
            pending = nil
            output.append(scalar)
        }
        return output
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? (scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D)) : scalar.properties.isWhitespace
    }

    static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}
