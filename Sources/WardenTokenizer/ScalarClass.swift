/// Character classes of BERT's normalizer and pre-tokenizer, as the Rust `tokenizers` crate defines them
/// (`normalizers/bert.rs`, `pre_tokenizers/bert.rs`).
enum ScalarClass: UInt8 {
    /// Deleted by text cleaning: U+0000, U+FFFD and categories Cc, Cf, Co, Cs, except \t \n \r.
    /// Unassigned code points (Cn) are kept, as Rust keeps them.
    case deleted
    /// Splits words: \t \n \r, space and every `White_Space` scalar (Zs, U+2028, U+2029).
    case whitespace
    /// Its own word: ASCII 33–47, 58–64, 91–96, 123–126 and every Unicode `P*` scalar.
    case punctuation
    /// BERT's `_is_chinese_char` ranges: surrounded by spaces so each ideograph is one word.
    case cjkIdeograph
    /// Anything else: part of a word.
    case word

    /// Class of every ASCII byte, so the hot loop never asks the Unicode tables about ASCII.
    static let ascii: [ScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    /// The class of one scalar as it appears in the raw text (before NFD).
    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let value = scalar.value
        switch value {
        case 0x09, 0x0A, 0x0D: return .whitespace
        case 0x00, 0xFFFD: return .deleted
        case 33...47, 58...64, 91...96, 123...126: return .punctuation
        default: break
        }
        if isCJKIdeograph(value) { return .cjkIdeograph }
        switch rustCategory(of: scalar) {
        case .control, .format, .privateUse, .surrogate:
            return .deleted
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return .punctuation
        default:
            // Rust takes `White_Space` from its standard library, which is current.
            return scalar.properties.isWhitespace ? .whitespace : .word
        }
    }

    /// The general category as the Rust `tokenizers` library sees it, or nil where it sees an unassigned scalar.
    ///
    /// Its category checks (`is_other`, `is_punctuation`, `is_mark_nonspacing`) come from tables frozen at
    /// Unicode 8.0, while Swift 6.3 ships Unicode 17. Swept over U+0080…U+31FFF, a tokenizer using Swift's own
    /// categories differed from `transformers` on 914 scalars, every one explained by this or by the CJK range
    /// below (`UnicodeSweepTests` now finds none): scalars added after 8.0 are neither deleted, punctuation
    /// nor dropped marks (they stay in the word, usually as `[UNK]`), and seven scalars changed category since.
    static func rustCategory(of scalar: Unicode.Scalar) -> Unicode.GeneralCategory? {
        switch scalar.value {
        case 0x166D, 0x111C9: return .otherPunctuation   // now So and Mn
        case 0x1734, 0x1171E: return .nonspacingMark     // now Mc
        case 0x1885, 0x1886: return .otherLetter         // now Mn
        case 0xA9BD: return .spacingMark                 // now Mn
        default: break
        }
        let properties = scalar.properties
        guard let age = properties.age, age.major < 8 || (age.major == 8 && age.minor == 0) else { return nil }
        return properties.generalCategory
    }

    /// The ranges of `is_chinese_char` in Rust `tokenizers` (CJK Unified Ideographs, Extensions A–E, and the
    /// compatibility ideographs). Hiragana, katakana and Hangul are deliberately not in it. Rust starts one
    /// range at U+2B920 where BERT's Python has U+2B820; we follow Rust, which produced the golden data.
    static func isCJKIdeograph(_ value: UInt32) -> Bool {
        switch value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
            0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}

extension Unicode.Scalar {
    /// Appends the scalar's UTF-8 encoding to `bytes` without building a `String`.
    @inline(__always)
    func appendUTF8(to bytes: inout [UInt8]) {
        let value = self.value
        switch value {
        case 0..<0x80:
            bytes.append(UInt8(value))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (value >> 6)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (value >> 12)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (value >> 18)))
            bytes.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        }
    }
}

extension String {
    /// Builds a string from scalars through UTF-8 bytes: many times faster than appending to a
    /// `String.UnicodeScalarView` one scalar at a time.
    init(scalars: some Sequence<Unicode.Scalar>) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.underestimatedCount)
        for scalar in scalars { scalar.appendUTF8(to: &bytes) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}

/// Decodes one scalar from valid UTF-8 (a Swift `String`'s storage) starting at `index`.
/// - Returns: the scalar and the number of bytes it used.
@inline(__always)
func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
    let lead = UInt32(bytes[index])
    let value: UInt32
    let length: Int
    if lead < 0xE0 {
        value = ((lead & 0x1F) << 6) | (UInt32(bytes[index + 1]) & 0x3F)
        length = 2
    } else if lead < 0xF0 {
        value = ((lead & 0x0F) << 12) | ((UInt32(bytes[index + 1]) & 0x3F) << 6)
            | (UInt32(bytes[index + 2]) & 0x3F)
        length = 3
    } else {
        value = ((lead & 0x07) << 18) | ((UInt32(bytes[index + 1]) & 0x3F) << 12)
            | ((UInt32(bytes[index + 2]) & 0x3F) << 6) | (UInt32(bytes[index + 3]) & 0x3F)
        length = 4
    }
    // Valid UTF-8 always decodes to a valid scalar; U+FFFD is a harmless fallback.
    return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
}
