import Foundation
import WardenModel
import WardenServer

/// Where the shipped files are: a flag, then an environment variable, then the working directory, then near the
/// binary: the checkout it was built in (`.build/<config>/warden` -> the package root) or an install prefix
/// (`<prefix>/bin/warden` -> `<prefix>/share/warden/`).
enum Locations {
    static let defaultModel = "Models/warden-minilm-lora"
    static let defaultTaxonomy = "Taxonomy/mlcommons-v1.yaml"
    static let defaultPolicies = "Policies"
    static let defaultCategoryAdditions = "Data/category-additions.jsonl"
    /// The shipped deployment's route (Docs/multilingual.md): the seven other Llama Guard 3 languages go to the
    /// multilingual bundle, English (and any language not named) stays with ``defaultModel``.
    static let defaultRouteLanguages = ["de", "es", "fr", "hi", "it", "pt", "th"]
    static let defaultRouteBundle = "Models/warden-e5-multilingual"

    /// ``defaultRouteLanguages`` to ``defaultRouteBundle``, or nil (with a note that says what to do) when the bundle
    /// or its base is not there: a machine that fetched only the English base still starts, judging every language
    /// with the English model.
    static func defaultRoute() -> LanguageRoute? {
        let bundle = resolve(nil, environment: "", fallback: defaultRouteBundle)
        guard let manifest = try? ModelManifest.load(from: bundle) else {
            note("\(defaultRouteBundle) not found; every language is judged by the English model")
            return nil
        }
        if let spec = BaseModelSpec.matching(manifest.base), (try? ModelStore(spec: spec).locate()) == nil {
            note("the multilingual base is not fetched (warden model fetch --base \(spec.name)); every language is judged by the English model")
            return nil
        }
        return LanguageRoute(languages: Set(defaultRouteLanguages), bundle: bundle.path)
    }

    static func model(_ flag: String?) -> URL { resolve(flag, environment: "WARDEN_MODEL", fallback: defaultModel) }
    static func taxonomy(_ flag: String?) -> URL { resolve(flag, environment: "WARDEN_TAXONOMY", fallback: defaultTaxonomy) }
    static func policies(_ flag: String?) -> URL { resolve(flag, environment: "WARDEN_POLICIES", fallback: defaultPolicies) }

    static var home: URL { ModelStore.defaultHome }

    static func resolve(_ flag: String?, environment: String, fallback: String) -> URL {
        if let flag, !flag.isEmpty { return URL(fileURLWithPath: flag) }
        if let value = ProcessInfo.processInfo.environment[environment], !value.isEmpty { return URL(fileURLWithPath: value) }
        let manager = FileManager.default
        let local = URL(fileURLWithPath: fallback)
        if manager.fileExists(atPath: local.path) { return local }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            for candidate in [directory.appendingPathComponent(fallback), directory.appendingPathComponent("share/warden/" + fallback)]
            where manager.fileExists(atPath: candidate.path) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return local
    }
}

/// A one-line progress bar on stderr with rate and ETA; silent when stderr is not a terminal,
/// except for a line every `quietEvery` items so logs still show progress.
struct ProgressBar {
    let total: Int
    let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastQuietReport = 0
    var quietEvery = 5000

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    mutating func update(_ done: Int, extra: String = "") {
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let summary = "\(label) \(done)/\(total) " + String(format: "%.1f/s ETA %@", rate, Self.duration(eta)) + (extra.isEmpty ? "" : " " + extra)
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = now
            let width = 30
            let filled = total > 0 ? min(width, width * done / total) : width
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(summary)\u{1B}[K".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if done - lastQuietReport >= quietEvery || done == total {
            lastQuietReport = done
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}

/// Writes a line to stderr (progress and diagnostics stay out of stdout, which carries results).
func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
