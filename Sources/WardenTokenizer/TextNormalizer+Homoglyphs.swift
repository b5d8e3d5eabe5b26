/// Cyrillic and Greek letters drawn like Latin ones, folded to ASCII where the text is evidently Latin.
enum Homoglyphs {
    /// Lookalike → ASCII. Only letters whose usual glyphs are indistinguishable (or nearly) from the Latin one.
    static let map: [UInt32: Unicode.Scalar] = {
        let pairs: [(String, String)] = [
            // Cyrillic lowercase and uppercase
            ("аеорсухіѕјԁԛԝһӏкв", "aeopcyxisjdqwhlkb"),
            ("АВЕКМНОРСТХУІЅЈԚԜҮҺӀ", "ABEKMHOPCTXYISJQWYHI"),
            // Greek lowercase and uppercase
            ("αονικρυχεωγ", "aovikpuxewy"),
            ("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX"),
            // Latin letters outside ASCII that NFKC leaves alone, and Armenian lookalikes
            ("ıɡɑօսհ", "igaouh"),
        ]
        var map: [UInt32: Unicode.Scalar] = [:]
        for (from, to) in pairs {
            precondition(from.unicodeScalars.count == to.unicodeScalars.count, "homoglyph table is misaligned")
            for (source, target) in zip(from.unicodeScalars, to.unicodeScalars) { map[source.value] = target }
        }
        return map
    }()

    /// Folds lookalikes in each whitespace-separated word that has an ASCII letter and no non-ASCII letter
    /// outside the map. A word made only of lookalikes is folded too when the text has ASCII letters and no
    /// other non-ASCII letter, since genuine Russian or Greek almost always uses letters that look un-Latin.
    static func fold(_ scalars: inout [Unicode.Scalar]) {
        var hasASCIILetter = false
        var hasForeignLetter = false
        for scalar in scalars {
            if isASCIILetter(scalar) { hasASCIILetter = true } else if isForeignLetter(scalar) { hasForeignLetter = true }
        }
        guard hasASCIILetter else { return }
        var start = 0
        while start < scalars.count {
            var end = start
            while end < scalars.count && !TextNormalizer.isWhitespace(scalars[end]) { end += 1 }
            foldWord(&scalars, start..<end, textIsLatin: !hasForeignLetter)
            start = end + 1
        }
    }

    private static func foldWord(_ scalars: inout [Unicode.Scalar], _ range: Range<Int>, textIsLatin: Bool) {
        var lookalikes = 0
        var latin = false
        for scalar in scalars[range] {
            if isASCIILetter(scalar) {
                latin = true
            } else if map[scalar.value] != nil {
                lookalikes += 1
            } else if isForeignLetter(scalar) {
                return
            }
        }
        guard lookalikes > 0, latin || textIsLatin else { return }
        for index in range {
            if let ascii = map[scalars[index].value] { scalars[index] = ascii }
        }
    }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A
    }

    /// A letter that is neither ASCII, nor accented Latin (`é` is at home in a Latin word), nor a lookalike.
    private static func isForeignLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x80, 0xC0...0x24F, 0x1E00...0x1EFF: return false
        default: return map[scalar.value] == nil && scalar.properties.isAlphabetic
        }
    }
}
