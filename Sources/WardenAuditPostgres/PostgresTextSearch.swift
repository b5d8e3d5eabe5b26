import Foundation

/// Full-text search on PostgreSQL with the same words as the SQLite store's FTS5 `unicode61 remove_diacritics 2`
/// tokenizer: case and accents folded, letters and digits only.
///
/// Swift splits the text, not PostgreSQL's parser: the parser keeps `foo.com`, `a-b` or `/usr/bin` whole as hosts,
/// compounds and paths, so `foo` would not find `foo.com` there while it does in SQLite. The stored `tsvector` and the
/// `tsquery` are both built from these tokens (cast from their text form, so no dictionary changes them), which also
/// needs no `unaccent` extension (and so no superuser) on the server.
enum PostgresTextSearch {
    /// A word of `text`: its folded form and where it is in the original text.
    struct Token {
        var lexeme: String
        var range: Range<String.Index>
    }

    /// PostgreSQL's limits: a lexeme is under 2 KiB, positions stop at 16,383 and 256 per lexeme are kept.
    static let maximumLexemeBytes = 2_000
    static let maximumPosition = 16_383
    static let maximumPositionsPerLexeme = 256
    /// A `tsvector` must stay under 1 MiB; a longer message is indexed up to here (its text is stored whole).
    static let maximumVectorBytes = 512 << 10

    static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var start: String.Index?
        var index = text.startIndex
        func close(at end: String.Index) {
            guard let begin = start else { return }
            let lexeme = fold(text[begin..<end])
            if !lexeme.isEmpty, lexeme.utf8.count <= maximumLexemeBytes { tokens.append(Token(lexeme: lexeme, range: begin..<end)) }
            start = nil
        }
        while index < text.endIndex {
            let isWordCharacter = text[index].unicodeScalars.contains { CharacterSet.alphanumerics.contains($0) }
            if isWordCharacter {
                if start == nil { start = index }
            } else {
                close(at: index)
            }
            index = text.index(after: index)
        }
        close(at: text.endIndex)
        return tokens
    }

    /// The folded words of `text`, in order: what is indexed and what is searched. This runs for every message
    /// written, so it folds the whole text once (not word by word) and skips Foundation's folding for ASCII text.
    static func lexemes(_ text: String) -> [String] {
        let isASCII = text.utf8.allSatisfy { $0 < 0x80 }
        let folded = isASCII ? text.lowercased() : text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var lexemes: [String] = []
        var current = String.UnicodeScalarView()
        func close() {
            guard !current.isEmpty else { return }
            let lexeme = String(current)
            if lexeme.utf8.count <= maximumLexemeBytes { lexemes.append(lexeme) }
            current = String.UnicodeScalarView()
        }
        for scalar in folded.unicodeScalars {
            let isWordScalar = scalar.isASCII
                ? (scalar.value >= 0x30 && scalar.value <= 0x39) || (scalar.value >= 0x61 && scalar.value <= 0x7A)
                : CharacterSet.alphanumerics.contains(scalar) && !CharacterSet.nonBaseCharacters.contains(scalar)
            if isWordScalar { current.append(scalar) } else if !CharacterSet.nonBaseCharacters.contains(scalar) { close() }
        }
        close()
        return lexemes
    }

    /// Lower case without accents, and only letters and digits left (folding can leave marks or spacing behind).
    static func fold(_ word: Substring) -> String {
        let folded = word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }))
    }

    /// The text form of the message's `tsvector` (`'word':1,4 'other':2`), or nil for no text.
    static func vector(_ text: String?) -> String? {
        guard let text else { return nil }
        var positions: [String: [Int]] = [:]
        var order: [String] = []
        var bytes = 0
        for (offset, lexeme) in lexemes(text).enumerated() {
            if positions[lexeme] == nil {
                bytes += lexeme.utf8.count + 8
                if bytes > maximumVectorBytes { break }
                order.append(lexeme)
                positions[lexeme] = []
            }
            if positions[lexeme]!.count < maximumPositionsPerLexeme {
                positions[lexeme]!.append(min(offset + 1, maximumPosition))
            }
        }
        return order.map { lexeme in
            // Positions must not repeat once clamped.
            var seen = Set<Int>()
            let list = positions[lexeme]!.filter { seen.insert($0).inserted }.map(String.init).joined(separator: ",")
            return "'\(lexeme)':\(list)"
        }.joined(separator: " ")
    }

    /// One searched word: its lexemes in order (a phrase when more than one), and whether the last is a prefix.
    struct Term: Hashable {
        var lexemes: [String]
        var isPrefix: Bool
    }

    /// The words of a search as ``FullTextPattern`` reads them: whitespace-separated, a trailing `*` a prefix, words
    /// without a letter or digit dropped; operators and quotes are text.
    static func terms(_ input: String) -> [Term] {
        var terms: [Term] = []
        for word in input.split(whereSeparator: { $0.isWhitespace }) {
            var word = Substring(word)
            var isPrefix = false
            while word.hasSuffix("*") {
                isPrefix = true
                word = word.dropLast()
            }
            let words = Self.lexemes(String(word))
            guard !words.isEmpty else { continue }
            terms.append(Term(lexemes: words, isPrefix: isPrefix))
        }
        return terms
    }

    /// The text form of the `tsquery`: every word must occur; a word of several tokens (`don't`) is a phrase.
    static func query(_ terms: [Term]) -> String? {
        guard !terms.isEmpty else { return nil }
        return terms.map { term in
            let parts = term.lexemes.enumerated().map { index, lexeme in
                "'\(lexeme)'" + (term.isPrefix && index == term.lexemes.count - 1 ? ":*" : "")
            }
            return "(" + parts.joined(separator: " <-> ") + ")"
        }.joined(separator: " & ")
    }

    /// The passage of `text` with the most matching words, up to 12 words, matches in `[` `]` and `…` where it was
    /// cut, like FTS5's `snippet()`.
    static func snippet(_ text: String, terms: [Term], words: Int = 12) -> String {
        let tokens = tokens(text)
        guard !tokens.isEmpty else { return text }
        let exact = Set(terms.filter { !$0.isPrefix }.flatMap(\.lexemes) + terms.flatMap { $0.lexemes.dropLast() })
        let prefixes = terms.filter(\.isPrefix).compactMap(\.lexemes.last)
        let matches = tokens.map { token in
            exact.contains(token.lexeme) || prefixes.contains { token.lexeme.hasPrefix($0) }
        }
        let width = min(words, tokens.count)
        var bestStart = 0
        var bestCount = -1
        for start in 0...(tokens.count - width) {
            let count = matches[start..<(start + width)].filter { $0 }.count
            if count > bestCount {
                bestCount = count
                bestStart = start
            }
        }
        let end = bestStart + width
        var snippet = bestStart > 0 ? "…" : ""
        var cursor = bestStart > 0 ? tokens[bestStart].range.lowerBound : text.startIndex
        for index in bestStart..<end {
            let token = tokens[index]
            snippet += text[cursor..<token.range.lowerBound]
            snippet += matches[index] ? "[\(text[token.range])]" : String(text[token.range])
            cursor = token.range.upperBound
        }
        snippet += end < tokens.count ? "…" : text[cursor...]
        return snippet
    }
}
