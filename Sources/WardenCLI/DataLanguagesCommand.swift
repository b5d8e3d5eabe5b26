import ArgumentParser
import Foundation
import WardenEval
import WardenLanguage
import WardenTraining

extension DataCommand {
    /// Measures the language identifier on items labelled with their language (`orig_labels.lang`).
    struct Languages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the language identifier on the items that carry orig_labels.lang (per language, with intervals).")
        @OptionGroup var data: DataOptions
        @Option(help: "Split part to measure on: train, calibration, validation or all.") var split = "validation"
        @Option(help: "Count items without orig_labels.lang as this language (en: the English corpora), and list per source how many of them a route would take away from it.")
        var untagged: String?

        static let known: Set<String> = ["en", "fr", "de", "it", "pt", "es", "hi", "th"]

        func run() async throws {
            let examples = try data.load()
            let selected: [LabelledExample]
            if split == "all" {
                selected = examples
            } else {
                guard let part = SplitPart(rawValue: split) else {
                    throw ValidationError("--split '\(split)' is not train, calibration, validation or all")
                }
                selected = DataSplit.standard.split(examples)[part] ?? []
            }
            let identifier = LanguageIdentifier()
            var rows: [String: [(correct: Bool, guess: String, length: Int)]] = [:]
            var untaggedBySource: [String: [Bool]] = [:]
            for example in selected {
                let tagged = example.groupValue(of: "orig_labels.lang")
                guard let language = tagged ?? untagged else { continue }
                // The judged text: the response when there is one, as the guard scores it.
                let text = example.response ?? example.prompt
                let guess = identifier.identify(text).language ?? "none"
                // A language outside the eight is right when it is not taken for English (so it is not judged as
                // English text); naming it is beyond the identifier.
                let correct = Self.known.contains(language) ? guess == language : guess != "en"
                rows[language, default: []].append((correct, guess, text.count))
                // What routing cares about: an item taken for another of the eight goes to that language's model;
                // an undetermined one stays with the first.
                if tagged == nil { untaggedBySource[example.source, default: []].append(guess != language && Self.known.contains(guess)) }
            }
            guard !rows.isEmpty else { throw ValidationError("no item of --data carries orig_labels.lang in the \(split) part") }
            print("| language | items | identified correctly | 95% interval | undetermined | most common other answer |")
            print("|---|---:|---:|---|---:|---|")
            for language in rows.keys.sorted(by: { (Self.known.contains($0) ? 0 : 1, $0) < (Self.known.contains($1) ? 0 : 1, $1) }) {
                let items = rows[language]!
                let flags = items.map(\.correct)
                let share = Double(flags.filter { $0 }.count) / Double(flags.count)
                let interval = Bootstrap.proportionInterval(flags).map { String(format: "[%.3f, %.3f]", $0.lower, $0.upper) } ?? "–"
                let undetermined = items.filter { $0.guess == "none" }.count
                let others = Dictionary(grouping: items.filter { !$0.correct && $0.guess != "none" }, by: \.guess).mapValues(\.count)
                let other = others.max { $0.value < $1.value }.map { "\($0.key) (\($0.value))" } ?? "–"
                print("| \(language)\(Self.known.contains(language) ? "" : " (other: right unless taken for English)") | \(items.count) | "
                    + String(format: "%.3f", share) + " | \(interval) | \(undetermined) | \(other) |")
            }
            let short = rows.filter { Self.known.contains($0.key) }.values.flatMap { $0 }.filter { $0.length < 40 }
            if !short.isEmpty {
                let right = short.filter(\.correct).count
                print("\nShorter than 40 characters (the eight languages): \(right) of \(short.count) identified correctly.")
            }
            if let untagged, !untaggedBySource.isEmpty {
                print("\nItems without a language, counted as \(untagged): taken for another of the eight languages, per source.\n")
                print("| source | items | taken for another language | 95% interval |")
                print("|---|---:|---:|---|")
                for (source, flags) in untaggedBySource.sorted(by: { $0.key < $1.key }) + [("**all**", untaggedBySource.values.flatMap { $0 })] {
                    let interval = Bootstrap.proportionInterval(flags).map { String(format: "[%.3f, %.3f]", $0.lower, $0.upper) } ?? "–"
                    print("| \(source) | \(flags.count) | " + String(format: "%.3f", Double(flags.filter { $0 }.count) / Double(flags.count))
                        + " | \(interval) |")
                }
            }
        }
    }
}
