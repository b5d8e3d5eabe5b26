import Foundation

/// The normalization deny and allow lists match against, so that case, width variants, zero-width
/// characters and spacing cannot dodge a phrase.
enum TextNormalizer {
    /// NFKC (folds full-width and compatibility forms), lowercase, drop zero-width and format
    /// characters, turn control characters into spaces, collapse whitespace runs, trim.
    static func normalize(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if isInvisible(scalar) { continue }
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(" ") }
            pendingSpace = false
            result.append(scalar)
        }
        return String(result)
    }

    /// Whether `phrase` occurs in `text` with no letter or digit directly before or after it
    /// ("kill" does not match "skill").
    static func containsPhrase(_ text: String, _ phrase: String) -> Bool {
        guard !phrase.isEmpty else { return false }
        var searchStart = text.startIndex
        while let range = text.range(of: phrase, range: searchStart..<text.endIndex) {
            let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
            let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
            if !isWordCharacter(before) && !isWordCharacter(after) { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }

    /// The text without closing punctuation (`.`, `!`, `?`) and spaces at its end.
    static func trimmingClosingPunctuation(_ text: String) -> String {
        var view = Substring(text)
        while let last = view.last, last == "." || last == "!" || last == "?" || last == " " { view.removeLast() }
        return String(view)
    }

    private static func isWordCharacter(_ character: Character?) -> Bool {
        guard let character else { return false }
        return character.isLetter || character.isNumber
    }

    /// Zero-width spaces and joiners, the word joiner, the byte-order mark, soft hyphens and other
    /// format characters: invisible, and a classic way to split a phrase.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .format
    }
}
