import Foundation
import Testing
import WardenTokenizer

@Suite("TextNormalizer")
struct TextNormalizerTests {
    let normalizer = TextNormalizer()

    @Test("normal text, numbers, prices, dates, versions, code and URLs are left alone", arguments: [
        "2024-05-01", "$100", "v1.2.3", "e.g.", "I have 3 cats", "A B testing", "Prices: $5.99 or €4,50.",
        "mp3 h2o COVID-19 GPT-4o 1st 42nd B2B web3 x86_64 0x1F a3f5b7 1080p 4x4", "U.S.A. i.e. Ph.D.",
        "https://example.com/path?q=1&x=y#frag", "user@example.com", "def foo(bar):\n    return bar**2 # note",
        "call 555-0134 at 10:30", "Don't stop, it's 5 o'clock.", "Crème brûlée à la française",
        "Привет мир, как дела?", "Καλημέρα κόσμε", "你好, 世界", "3.14159 1,000,000 -42",
        "The A-team and plan B", "@user #hashtag", "I'm 25 years old",
    ])
    func leavesNormalTextAlone(_ text: String) {
        // Collapsing whitespace changes indentation only; BERT splits on whitespace, so pieces are unchanged.
        let collapsed = TextNormalizer(options: .init(collapseWhitespace: false)).normalize(text)
        #expect(collapsed == text)
        #expect(Fixtures.plainTokenizer.pieceIDs(normalizer.normalize(text)) == Fixtures.plainTokenizer.pieceIDs(text))
    }

    @Test("collapsing whitespace keeps one line break per run; NFKC folds fullwidth punctuation")
    func whitespaceAndWidth() {
        #expect(normalizer.normalize("def f():\n\treturn 1  # one") == "def f():\nreturn 1 # one")
        #expect(normalizer.normalize("你好，世界") == "你好,世界")
    }

    @Test("each step undoes its obfuscation", arguments: [
        ("k\u{200B}i\u{200D}l\u{AD}l \u{202E}it\u{202C}", "kill it"),          // invisible
        ("ＢＯＭＢ ﬁre 𝐁𝐨𝐥𝐝", "BOMB fire Bold"),                              // NFKC
        ("kіll the рrеsident", "kill the president"),                          // Cyrillic і р е
        ("hοw tο mаke а bοmb", "how to make a bomb"),                          // Greek ο, Cyrillic а; lone а
        ("k i l l  him", "kill him"),                                          // spaced, double space ends the run
        ("b.o.m.b and s-u-i-c-i-d-e", "bomb and suicide"),
        ("many   spaces\t\tand\r\n\r\nlines ", "many spaces and\nlines"),      // whitespace
        ("h0w t0 m4k3 m3th 4t h0m3", "how t0 make meth 4t home"),              // leet between letters only
        ("K1LL, h4x0r! a$$h0le (w00t)", "KILL, haxor! asshole (woot)"),
    ])
    func undoes(_ obfuscated: String, _ expected: String) {
        #expect(normalizer.normalize(obfuscated) == expected)
    }

    @Test("NFKC over non-ASCII runs equals NFKC over the whole text", arguments: [
        "cafe\u{301} ﬁne ＡＢＣ", "x\u{308}\u{301} and \u{1100}\u{1161}\u{11A8} jamo",
        (1...12).map { "e\u{301}\($0) ½ " }.joined(),   // more than 8 runs: one whole-text call
    ])
    func compatibilityFolding(_ text: String) {
        var options = TextNormalizer.Options.none
        options.compatibilityFolding = true
        let folded = TextNormalizer(options: options).normalize(text)
        #expect(Array(folded.unicodeScalars) == Array(text.precomposedStringWithCompatibilityMapping.unicodeScalars))
    }

    @Test("a Russian text keeps its lookalike letters; only Latin contexts fold them")
    func homoglyphScope() {
        #expect(normalizer.normalize("сосна и рука") == "сосна и рука")
        #expect(normalizer.normalize("kill сосо") == "kill coco")        // no genuine Cyrillic in the text
        #expect(normalizer.normalize("kill сосо и мир") == "kill сосо и мир")
    }

    @Test("each option can be turned off", arguments: [
        (TextNormalizer.Options(stripInvisible: false), "a\u{200B}b", "a\u{200B}b"),
        (TextNormalizer.Options(compatibilityFolding: false), "ＡＢ", "ＡＢ"),
        (TextNormalizer.Options(foldHomoglyphs: false), "kіll", "kіll"),
        (TextNormalizer.Options(joinSpacedLetters: false), "k i l l", "k i l l"),
        (TextNormalizer.Options(collapseWhitespace: false), " a  b ", " a  b "),
        (TextNormalizer.Options(foldLeetspeak: false), "k1ll", "k1ll"),
    ])
    func optionsOff(_ options: TextNormalizer.Options, _ text: String, _ expected: String) {
        #expect(TextNormalizer(options: options).normalize(text) == expected)
        #expect(TextNormalizer().normalize(text) != expected)
        #expect(TextNormalizer(options: .none).normalize(text) == text)
    }

    @Test("normalized obfuscations tokenize like the plain word")
    func tokenizesAlike() {
        let tokenizer = Fixtures.plainTokenizer
        for variant in ["k1ll", "kіll", "k i l l", "k.i.l.l", "k\u{200B}ill", "ＫＩＬＬ", "K1LL"] {
            #expect(tokenizer.pieceIDs(normalizer.normalize(variant)) == tokenizer.pieceIDs("kill"), "\(variant)")
        }
    }
}
