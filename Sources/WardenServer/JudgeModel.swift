import Foundation
import WardenCore
import WardenLanguage
import WardenModel

/// Languages whose text another model bundle judges: `model.route` / `--route`, written `fr,de,es=DIR`.
public struct LanguageRoute: Sendable, Hashable, CustomStringConvertible {
    public var languages: Set<String>
    public var bundle: String

    public init(languages: Set<String>, bundle: String) {
        self.languages = languages
        self.bundle = bundle
    }

    /// Reads `fr,de,es=DIR`; the languages are ISO 639-1 codes the language identifier knows.
    public init(parsing text: String) throws(ServerConfigurationError) {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let known = LanguageIdentifier.languages
        let languages = Set((parts.first ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        guard parts.count == 2, !parts[1].isEmpty, !languages.isEmpty, languages.isSubset(of: known) else {
            throw ServerConfigurationError(
                source: "model.route",
                message: "'\(text)' is not LANGUAGES=BUNDLE with languages among \(known.sorted().joined(separator: ", ")) "
                    + "(e.g. fr,de,es,it,pt,hi,th=Models/warden-e5-multilingual)")
        }
        self.init(languages: languages, bundle: parts[1])
    }

    public var description: String { "\(languages.sorted().joined(separator: ","))=\(bundle)" }
}

/// The models that judge text: the main bundle, and the bundles routed by language. The one place a service or a
/// command turns bundle folders into a classifier.
public struct JudgeModel: Sendable {
    /// What scores inputs: the main bundle alone, or (with routes or per-language thresholds) a
    /// ``LanguageAwareClassifier`` over all of them.
    public let classifier: any WindowedClassifier
    /// The main bundle, which also embeds text for custom categories.
    public let main: EncoderClassifier

    public static func load(bundle: URL, routes: [LanguageRoute] = [], workers: Int) throws -> JudgeModel {
        let main = try EncoderClassifier.load(bundle: bundle, workers: workers)
        let routed = try routes.map { route in
            LanguageAwareClassifier.Member(
                model: try EncoderClassifier.load(bundle: URL(fileURLWithPath: route.bundle, isDirectory: true), workers: workers),
                languages: route.languages)
        }
        // Without routes or language thresholds the wrapper would change nothing; leave it out of the request path.
        guard !routed.isEmpty || !main.languageThresholds.isEmpty else { return JudgeModel(classifier: main, main: main) }
        do {
            return JudgeModel(classifier: try LanguageAwareClassifier(members: [.init(model: main)] + routed), main: main)
        } catch {
            throw ServerConfigurationError(source: "model.route", message: error.description)
        }
    }
}
