/// The writing system of a text's letters, which alone tells Thai and Hindi apart from the Latin-script languages.
public enum Script: String, Sendable, Hashable, Codable, CaseIterable {
    case latin, thai, devanagari, cyrillic, arabic, han, other
    /// No letters at all (digits, emoji, punctuation).
    case none

    /// The script of one letter.
    init(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: self = .latin
        case 0x0E00...0x0E7F: self = .thai
        case 0x0900...0x097F, 0xA8E0...0xA8FF: self = .devanagari
        case 0x0400...0x052F: self = .cyrillic
        case 0x0600...0x06FF, 0x0750...0x077F: self = .arabic
        case 0x3040...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7AF: self = .han
        default: self = .other
        }
    }

    /// Whether a scalar counts as a letter: Unicode's letter categories, as the profile builder's `str.isalpha()`
    /// does (combining marks are not letters).
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }
}
