import Foundation

/// What ``LanguageIdentifier`` found.
public struct LanguageGuess: Sendable, Hashable, Codable {
    /// ISO 639-1 code of one of the languages the identifier knows (en, fr, de, it, pt, es by their letters; th and
    /// hi by their script), or `nil` when the text has too few letters or a script it does not tell apart.
    public var language: String?
    /// The posterior probability of `language` among the known languages of its script (1 for a script alone).
    public var confidence: Double
    /// The script of most of the text's letters.
    public var script: Script
}

/// Tells which of Llama Guard 3's eight languages a text is in: Thai and Hindi by their script, the six Latin-script
/// languages by a naive Bayes model over character 1- to 3-grams. Small (a few thousand n-grams per language),
/// deterministic and fast enough for the request path; it decides which thresholds and which model judge a text,
/// so `warden data languages` measures it on the held-out split.
public struct LanguageIdentifier: Sendable {
    /// Latin-script texts with fewer letters than this are not guessed.
    public var minimumLetters = 4
    /// A guess below this posterior is reported as undetermined.
    public var minimumConfidence = 0.5
    let profiles: LanguageProfiles

    public init() {
        profiles = .shipped
    }

    /// Every language ``identify(_:)`` can answer: the Latin-script profiles, and Thai and Hindi by their script.
    public static let languages = Set(LanguageProfiles.shipped.profiles.map(\.language)).union(["th", "hi"])

    init(profiles: LanguageProfiles) {
        self.profiles = profiles
    }

    public func identify(_ text: String) -> LanguageGuess {
        let script = Self.dominantScript(text)
        switch script.script {
        case .thai: return LanguageGuess(language: "th", confidence: 1, script: .thai)
        case .devanagari: return LanguageGuess(language: "hi", confidence: 1, script: .devanagari)
        case .latin where script.letters >= minimumLetters: break
        default: return LanguageGuess(language: nil, confidence: 0, script: script.script)
        }
        let grams = Self.ngrams(text)
        let scores = profiles.profiles.map { profile in
            grams.reduce(0.0) { $0 + (profile.logProbabilities[$1] ?? profile.unseen) }
        }
        guard let best = scores.indices.max(by: { scores[$0] < scores[$1] }) else {
            return LanguageGuess(language: nil, confidence: 0, script: .latin)
        }
        // Softmax over languages with uniform priors, computed stably.
        let top = scores[best]
        let total = scores.reduce(0.0) { $0 + exp($1 - top) }
        let confidence = 1 / total
        let language = confidence >= minimumConfidence ? profiles.profiles[best].language : nil
        return LanguageGuess(language: language, confidence: confidence, script: .latin)
    }

    /// The script of most letters, and how many letters the text has.
    static func dominantScript(_ text: String) -> (script: Script, letters: Int) {
        var counts: [Script: Int] = [:]
        var letters = 0
        for scalar in text.unicodeScalars {
            let script = Script(scalar)
            // Thai and Devanagari vowel signs are combining marks; they still say which script a text is in.
            guard Script.isLetter(scalar) || script == .thai || script == .devanagari else { continue }
            counts[script, default: 0] += 1
            letters += 1
        }
        guard let dominant = counts.max(by: { ($0.value, $1.key.rawValue) < ($1.value, $0.key.rawValue) }) else { return (.none, 0) }
        return (dominant.key, letters)
    }

    /// The n-grams the profiles are built from (`scripts/build_language_profiles.py` must agree): NFC, lower case,
    /// runs of non-letters as word breaks, each word padded with a space on both sides, n = 1 to 3.
    static func ngrams(_ text: String) -> [String] {
        var grams: [String] = []
        var word: [Unicode.Scalar] = []
        func flush() {
            guard !word.isEmpty else { return }
            let padded = [" "] + word + [" "]
            for n in 1...3 where padded.count >= n {
                for start in 0...(padded.count - n) {
                    if n == 1 && padded[start] == " " { continue }
                    var gram = String.UnicodeScalarView()
                    gram.append(contentsOf: padded[start..<(start + n)])
                    grams.append(String(gram))
                }
            }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.precomposedStringWithCanonicalMapping.lowercased().unicodeScalars {
            if Script.isLetter(scalar) { word.append(scalar) } else { flush() }
        }
        flush()
        return grams
    }
}
