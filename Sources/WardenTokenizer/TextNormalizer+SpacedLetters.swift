/// Re-joins words spelled out letter by letter (`k i l l`, `b.o.m.b`, `s-u-i-c-i-d-e`).
enum SpacedLetters {
    /// A run needs this many single characters…
    static let minimumRun = 4
    /// …of which this many are letters (the rest may be leetspeak digits or symbols: `k 1 l l`).
    static let minimumLetters = 3

    /// Joins every maximal run of single letters separated by one and the same separator. A run must stand
    /// alone: the characters around it are not letters or digits, so `v1.2.3` and `U.S.A.` (3) are left alone.
    static func join(_ scalars: inout [Unicode.Scalar]) {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            guard isSingle(scalars, at: index), index == 0 || !isWordCharacter(scalars[index - 1]),
                  index + 2 < scalars.count, isSeparator(scalars[index + 1])
            else {
                output.append(scalars[index])
                index += 1
                continue
            }
            let separator = scalars[index + 1]
            var last = index
            while last + 2 < scalars.count && scalars[last + 1] == separator && isSingle(scalars, at: last + 2) {
                last += 2
            }
            let run = stride(from: index, through: last, by: 2).map { scalars[$0] }
            let letters = run.filter(Homoglyphs.isASCIILetter).count
            if run.count >= minimumRun && letters >= minimumLetters {
                output.append(contentsOf: run)
            } else {
                output.append(contentsOf: scalars[index...last])
            }
            index = last + 1
        }
        scalars = output
    }

    /// A letter or leetspeak character standing alone: the next character is not a letter or digit.
    private static func isSingle(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        let scalar = scalars[index]
        guard Homoglyphs.isASCIILetter(scalar) || Leetspeak.letter(for: scalar) != nil else { return false }
        return index + 1 == scalars.count || !isWordCharacter(scalars[index + 1])
    }

    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "." || scalar == "-"
    }

    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return Homoglyphs.isASCIILetter(scalar) || (scalar.value >= 0x30 && scalar.value <= 0x39)
        }
        return scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}
