/// Folds leetspeak digits and symbols back to letters inside words (`k1ll` → `kill`, `h4ck` → `hack`).
enum Leetspeak {
    /// The lowercase letter a leetspeak character stands for, or nil.
    @inline(__always)
    static func letter(for scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar {
        case "0": return "o"
        case "1": return "i"
        case "3": return "e"
        case "4", "@": return "a"
        case "5", "$": return "s"
        case "7": return "t"
        default: return nil
        }
    }

    /// Folds each whitespace-separated word whose core (without surrounding punctuation) qualifies; see
    /// ``qualifies(_:)``.
    static func fold(_ scalars: inout [Unicode.Scalar]) {
        var start = 0
        while start < scalars.count {
            var end = start
            while end < scalars.count && !TextNormalizer.isWhitespace(scalars[end]) { end += 1 }
            var coreStart = start
            var coreEnd = end
            while coreStart < coreEnd && isTrimmable(scalars[coreStart]) { coreStart += 1 }
            while coreEnd > coreStart && isTrimmable(scalars[coreEnd - 1]) { coreEnd -= 1 }
            let core = scalars[coreStart..<coreEnd]
            if qualifies(core) {
                // `K1LL` → `KILL`, `k1ll` and `K1ll` → `kill`/`Kill`.
                let upper = !core.contains { $0.value >= 0x61 && $0.value <= 0x7A }
                for index in coreStart..<coreEnd {
                    guard let letter = letter(for: scalars[index]) else { continue }
                    scalars[index] = upper ? Unicode.Scalar(letter.value - 0x20)! : letter
                }
            }
            start = end + 1
        }
    }

    /// A core qualifies when it is made only of ASCII letters, leetspeak characters and apostrophes; has at
    /// least two letters; has a leetspeak character directly between two letters; does not start with a
    /// digit (`0x1F`, `1080p`); and does not look hexadecimal (letters a–f only with two or more digits).
    static func qualifies(_ core: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = core.first, !(first.value >= 0x30 && first.value <= 0x39) else { return false }
        var letterCount = 0
        var digitCount = 0
        var onlyHexLetters = true
        var inside = false
        var previous: Unicode.Scalar?
        var leetRunFollowsLetter = false
        for scalar in core {
            if Homoglyphs.isASCIILetter(scalar) {
                letterCount += 1
                if (scalar.value | 0x20) > 0x66 { onlyHexLetters = false }
                if leetRunFollowsLetter { inside = true }
                leetRunFollowsLetter = false
            } else if letter(for: scalar) != nil {
                if scalar.value >= 0x30 && scalar.value <= 0x39 { digitCount += 1 }
                if let previous, Homoglyphs.isASCIILetter(previous) { leetRunFollowsLetter = true }
            } else if scalar == "'" {
                leetRunFollowsLetter = false
            } else {
                return false
            }
            previous = scalar
        }
        guard letterCount >= 2, inside else { return false }
        return !(onlyHexLetters && digitCount >= 2)
    }

    /// Punctuation around a word (`(k1ll)!`); `$` and `@` are kept since they may stand for letters.
    private static func isTrimmable(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII, scalar != "$", scalar != "@" else { return false }
        return !Homoglyphs.isASCIILetter(scalar) && !(scalar.value >= 0x30 && scalar.value <= 0x39)
    }
}
