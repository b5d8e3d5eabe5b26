/// Character n-gram log-probabilities of the Latin-script languages, parsed once from the generated table
/// (`LanguageProfiles+Data.swift`, built by `scripts/build_language_profiles.py`).
struct LanguageProfiles: Sendable {
    struct Profile: Sendable {
        let language: String
        let logProbabilities: [String: Double]
        /// The log-probability of an n-gram the profile has not seen.
        let unseen: Double
    }

    let profiles: [Profile]

    static let shipped = LanguageProfiles(parsing: table)

    init(parsing text: String) {
        var profiles: [Profile] = []
        var language: String?
        var unseen = 0.0
        var table: [String: Double] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty {
                if let language { profiles.append(Profile(language: language, logProbabilities: table, unseen: unseen)) }
                language = nil
                table = [:]
                continue
            }
            guard let tab = line.lastIndex(of: "\t"), let value = Double(line[line.index(after: tab)...]) else { continue }
            let key = String(line[..<tab])
            if language == nil {
                language = key
                unseen = value
            } else {
                table[key] = value
            }
        }
        if let language { profiles.append(Profile(language: language, logProbabilities: table, unseen: unseen)) }
        self.profiles = profiles
    }
}
