import WardenCore
/// Perturbs text the way users dodge filters, for training augmentation and for a perturbed copy of the
/// validation set. Deterministic: the same seed and calls give the same output everywhere.
///
/// ``TextNormalizer`` is meant to undo most of it; `ObfuscatorTests` measures how much, per transform.
public struct Obfuscator: Sendable {
    public enum Transform: String, Sendable, CaseIterable {
        /// Letters → look-alike digits and symbols (`a` → `4`/`@`, `e` → `3`, `i` → `1`, `o` → `0`,
        /// `s` → `5`/`$`, `t` → `7`), each with probability `rate`.
        case leetspeak
        /// Each letter's case flipped with probability `rate`.
        case randomCase
        /// Each word of 2+ letters spelled out with probability `rate`, with one of ` `, `.`, `-` between
        /// letters (a spaced-out word gets an extra space on each side so it does not merge with its neighbours).
        case spacedLetters
        /// Letters → Cyrillic or Greek look-alikes, each with probability `rate`.
        case homoglyphs
        /// An invisible character (zero-width space/joiners, word joiner, BOM, soft hyphen) after each letter
        /// inside a word, with probability `rate`.
        case zeroWidth
        /// Each word gets one of the transforms above, picked at random, at `rate`.
        case mixed
    }

    public private(set) var generator: SplitMix64

    public init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// One-shot form: a fresh generator seeded with `seed`.
    public static func obfuscate(_ text: String, with transform: Transform, rate: Double, seed: UInt64) -> String {
        var obfuscator = Obfuscator(seed: seed)
        return obfuscator.obfuscate(text, with: transform, rate: rate)
    }

    /// Applies `transform` to `text`; the generator advances, so consecutive calls differ.
    public mutating func obfuscate(_ text: String, with transform: Transform, rate: Double) -> String {
        var output: [Unicode.Scalar] = []
        var word: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if Homoglyphs.isASCIILetter(scalar) {
                word.append(scalar)
                continue
            }
            flush(&word, into: &output, transform: transform, rate: rate)
            output.append(scalar)
        }
        flush(&word, into: &output, transform: transform, rate: rate)
        return String(scalars: output)
    }

    // MARK: - Per-word transforms

    private static let leet: [Unicode.Scalar: [Unicode.Scalar]] = [
        "a": ["4", "@"], "e": ["3"], "i": ["1"], "o": ["0"], "s": ["5", "$"], "t": ["7"],
    ]
    private static let lookalikes: [Unicode.Scalar: [Unicode.Scalar]] = {
        var reverse: [Unicode.Scalar: [Unicode.Scalar]] = [:]
        for (source, ascii) in Homoglyphs.map { reverse[ascii, default: []].append(Unicode.Scalar(source)!) }
        return reverse.mapValues { $0.sorted { $0.value < $1.value } }
    }()
    private static let invisible: [Unicode.Scalar] = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}",
                                                      "\u{AD}"]
    private static let separators: [Unicode.Scalar] = [" ", ".", "-"]
    private static let single: [Transform] = [.leetspeak, .randomCase, .spacedLetters, .homoglyphs, .zeroWidth]

    private mutating func flush(_ word: inout [Unicode.Scalar], into output: inout [Unicode.Scalar],
                                transform: Transform, rate: Double) {
        guard !word.isEmpty else { return }
        let chosen = transform == .mixed ? Self.single[Int(generator.next() % UInt64(Self.single.count))] : transform
        output.append(contentsOf: apply(chosen, to: word, rate: rate))
        word.removeAll(keepingCapacity: true)
    }

    private mutating func apply(_ transform: Transform, to word: [Unicode.Scalar], rate: Double) -> [Unicode.Scalar] {
        switch transform {
        case .leetspeak:
            return word.map { letter in
                guard let options = Self.leet[lowercased(letter)], generator.chance(rate) else { return letter }
                return pick(options)
            }
        case .randomCase:
            return word.map { generator.chance(rate) ? Unicode.Scalar($0.value ^ 0x20)! : $0 }
        case .homoglyphs:
            return word.map { letter in
                guard let options = Self.lookalikes[letter], generator.chance(rate) else { return letter }
                return pick(options)
            }
        case .zeroWidth:
            var output: [Unicode.Scalar] = []
            for (index, letter) in word.enumerated() {
                output.append(letter)
                if index + 1 < word.count && generator.chance(rate) { output.append(pick(Self.invisible)) }
            }
            return output
        case .spacedLetters:
            guard word.count >= 2, generator.chance(rate) else { return word }
            let separator = pick(Self.separators)
            var output: [Unicode.Scalar] = separator == " " ? [" "] : []
            for (index, letter) in word.enumerated() {
                if index > 0 { output.append(separator) }
                output.append(letter)
            }
            if separator == " " { output.append(" ") }
            return output
        case .mixed:
            return word
        }
    }

    private mutating func pick(_ options: [Unicode.Scalar]) -> Unicode.Scalar {
        options.count == 1 ? options[0] : options[Int(generator.next() % UInt64(options.count))]
    }

    private func lowercased(_ letter: Unicode.Scalar) -> Unicode.Scalar {
        Unicode.Scalar(letter.value | 0x20)!
    }
}
