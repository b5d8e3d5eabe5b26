import Testing
@testable import WardenLanguage

/// Sentences written for these tests (none comes from the training pool or a benchmark).
@Suite("Language identification")
struct LanguageIdentifierTests {
    let identifier = LanguageIdentifier()

    @Test("everyday sentences in the six Latin-script languages", arguments: [
        ("en", "Could you tell me how long it takes to bake a loaf of bread?"),
        ("en", "My neighbour keeps parking in front of my garage and I am tired of it."),
        ("fr", "Pourriez-vous me dire combien de temps il faut pour cuire une baguette ?"),
        ("fr", "Je cherche un bon restaurant près de la gare pour ce soir."),
        ("de", "Wie lange muss ich das Brot im Ofen lassen, bis es fertig ist?"),
        ("de", "Mein Nachbar parkt ständig vor meiner Garage und das nervt mich."),
        ("it", "Quanto tempo ci vuole per cuocere il pane nel forno di casa?"),
        ("it", "Sto cercando un buon ristorante vicino alla stazione per stasera."),
        ("pt", "Quanto tempo leva para assar um pão no forno de casa?"),
        ("pt", "Estou procurando um bom restaurante perto da estação para hoje à noite."),
        ("es", "¿Cuánto tiempo se tarda en hornear una barra de pan en casa?"),
        ("es", "Estoy buscando un buen restaurante cerca de la estación para esta noche."),
    ])
    func latin(expected: String, text: String) {
        let guess = identifier.identify(text)
        #expect(guess.language == expected, "\(text): \(guess)")
        #expect(guess.script == .latin)
        #expect(guess.confidence >= 0.5)
    }

    /// English full of names, slang or code: the profiles built before 2026-12-04 (each language with its own penalty
    /// for an unseen n-gram) sent every one of these to French, Spanish, Italian or Portuguese.
    @Test("English with names, slang and technical words stays English", arguments: [
        "lol Marco u r such a clown, pizza party at Luca's tonite??",
        "Summarize the plot of Les Misérables in three sentences",
        "How do I configure nginx as a reverse proxy for gunicorn on Ubuntu?",
        "ur mom is so fat lmaooo",
        "Is Château Margaux 2015 worth the price?",
    ])
    func englishWithNames(text: String) {
        let guess = identifier.identify(text)
        #expect(guess.language == "en", "\(text): \(guess)")
    }

    @Test("Thai and Hindi by their script, combining vowel signs included")
    func scripts() {
        let thai = identifier.identify("วันนี้อากาศดีมาก เราไปเดินเล่นที่สวนกันไหม")
        #expect(thai.language == "th" && thai.script == .thai)
        let hindi = identifier.identify("क्या आप मुझे बता सकते हैं कि स्टेशन कितनी दूर है?")
        #expect(hindi.language == "hi" && hindi.script == .devanagari)
        // A Hindi sentence with an English brand name is still Devanagari by most of its letters.
        #expect(identifier.identify("मुझे नया iPhone खरीदना है लेकिन बहुत महंगा है").language == "hi")
    }

    @Test("too little text, no letters, or a script it does not tell apart is undetermined, not guessed")
    func undetermined() {
        #expect(identifier.identify("").language == nil)
        #expect(identifier.identify("ok?").language == nil)
        #expect(identifier.identify("12345 !!! 🙂🙂").script == .none)
        let russian = identifier.identify("Как пройти к вокзалу?")
        #expect(russian.language == nil && russian.script == .cyrillic)
    }

    @Test("n-grams: NFC, lower case, words padded with spaces, 1- to 3-grams, non-letters break words")
    func ngrams() {
        #expect(LanguageIdentifier.ngrams("Ab") == ["a", "b", " a", "ab", "b ", " ab", "ab "])
        // A decomposed é (e + combining acute) is composed first, so it counts as one letter like the precomposed one.
        #expect(LanguageIdentifier.ngrams("e\u{301}") == LanguageIdentifier.ngrams("é"))
        #expect(LanguageIdentifier.ngrams("a1b") == LanguageIdentifier.ngrams("a") + LanguageIdentifier.ngrams("b"))
    }

    @Test("the shipped profiles cover the six Latin-script languages, each with thousands of n-grams")
    func profiles() {
        let profiles = LanguageProfiles.shipped.profiles
        #expect(profiles.map(\.language) == ["en", "fr", "de", "it", "pt", "es"])
        for profile in profiles {
            #expect(profile.logProbabilities.count >= 1_000)
            #expect(profile.logProbabilities.values.allSatisfy { $0 < 0 && $0 > profile.unseen - 1e-9 })
        }
    }
}
