import ArgumentParser
import Foundation
import WardenCore
import WardenModel
import WardenPolicy
import WardenTaxonomy

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate policies and explain their decisions.",
        subcommands: [Validate.self, Explain.self, EvaluateCustom.self]
    )

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check policy files (or the *.yaml files of a directory); exits non-zero when any is invalid."
        )

        @Argument(help: "Policy files or directories.")
        var paths: [String]

        @OptionGroup var taxonomyOptions: TaxonomyOptions

        func run() async throws {
            let taxonomy = try taxonomyOptions.load()
            var failures = 0
            for url in try files() {
                do {
                    let policy = try PolicyLoader.load(from: url, taxonomy: taxonomy)
                    let custom = policy.customCategories.isEmpty ? "" : ", \(policy.customCategories.count) custom categories"
                    print("OK    \(url.relativePath): \(policy.id) (\(policy.input.count) input rules, \(policy.output.count) output rules\(custom))")
                } catch {
                    failures += 1
                    print("FAIL  \(url.relativePath)")
                    for issue in error.issues { print("  \(issue)") }
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }

        private func files() throws -> [URL] {
            try paths.flatMap { path -> [URL] in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                    return [URL(fileURLWithPath: path)]
                }
                return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                    .map { URL(fileURLWithPath: path).appendingPathComponent($0) }
            }
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which rule decides a text and why, given the classifier's scores.",
            discussion: """
                --scores is a JSON object of label scores, e.g. '{"unsafe": 0.8, "violent_crimes": 0.7}'. \
                Keys may be model labels, hazard IDs, Llama Guard codes (S1), OpenAI names, \
                'unsafe' or 'custom:<id>'.
                """
        )

        @Argument(help: "Policy file.")
        var file: String

        @Option(help: "The turn being judged (the user turn for input, the assistant turn for output).")
        var text: String

        @Option(help: "For --direction output: the user turn the answer replies to.")
        var prompt: String?

        @Option(name: .customLong("direction"), help: "input or output.")
        var directionName = "input"

        @Option(help: "JSON object of label scores; without it the shipped model scores the text.")
        var scores: String?

        @Option(help: "Model bundle used when --scores is not given (default: Models/warden-minilm-lora).")
        var model: String?

        @OptionGroup var taxonomyOptions: TaxonomyOptions

        func validate() throws {
            guard Direction(rawValue: directionName) != nil else {
                throw ValidationError("--direction must be input or output, not '\(directionName)'")
            }
            if let scores { _ = try Self.scoreObject(scores) }
        }

        func run() async throws {
            let direction = Direction(rawValue: directionName) ?? .input
            let taxonomy = try taxonomyOptions.load()
            let policy = try PolicyLoader.load(from: URL(fileURLWithPath: file), taxonomy: taxonomy)
            // `threshold: model` rules need the served model's operating thresholds, even when --scores stands in for it.
            let manifest = try ModelManifest.load(from: Locations.model(model))
            let engine = PolicyEngine(policy: policy, taxonomy: taxonomy, modelThresholds: manifest.thresholds)
            let conversation = direction == .input
                ? Conversation(prompt: text)
                : Conversation(prompt: prompt ?? "", response: text)
            let item = ClassificationInput(conversation: conversation, direction: direction)

            print("policy \(policy.id) (\(policy.source), sha256 \(policy.contentHash.prefix(12))), direction \(direction.rawValue)")
            if let verdict = engine.screen(item) {
                print("decided before the model")
                print(Self.summary(verdict))
                return
            }
            let labelScores: LabelScores
            if let scores {
                labelScores = try Self.parseScores(scores, taxonomy: taxonomy, customIDs: Set(policy.customCategories.map(\.id)))
            } else {
                let classifier = try EncoderClassifier.load(bundle: Locations.model(model))
                var scored = try await classifier.classify(item)
                if !policy.customCategories.isEmpty {
                    let custom = try await CustomCategoryScorer(embedder: classifier)
                        .scores(for: [item.judgedText], categories: policy.customCategories)[0]
                    for (label, value) in custom { scored[label] = value }
                }
                labelScores = scored
                print("scores from \(classifier.modelID)")
            }
            let traces = engine.explain(labelScores, direction: direction)
            let rows = traces.map { trace -> [String] in
                let governing = trace.rules.isEmpty ? "-" : trace.rules.map(\.location).joined(separator: ", ")
                let outcome = trace.firedRule.map { "\($0.location): \(trace.score) >= \(engine.threshold(of: $0, for: trace.category)) -> \($0.decision.rawValue)" }
                    ?? "below every threshold -> allow"
                return [trace.category.rawValue, taxonomy.code(for: trace.category) ?? "-", String(trace.score), governing, outcome]
            }
            print(AlignedColumns(header: ["CATEGORY", "CODE", "SCORE", "RULES", "OUTCOME"], rows: rows).rendered)
            print(Self.summary(engine.decide(labelScores, for: item)))
        }

        static func summary(_ verdict: Verdict) -> String {
            "decision \(verdict.decision.rawValue)\nreason   \(verdict.reason)\nllama    \(verdict.llamaGuardText.replacingOccurrences(of: "\n", with: " "))"
        }

        /// The `--scores` JSON as numbers in [0, 1].
        static func scoreObject(_ json: String) throws -> [String: Double] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
                throw ValidationError("--scores must be a JSON object such as '{\"unsafe\": 0.8, \"S1\": 0.7}'")
            }
            var result: [String: Double] = [:]
            for (key, value) in object {
                guard let score = (value as? NSNumber)?.doubleValue, (0...1).contains(score) else {
                    throw ValidationError("--scores: '\(key)' must be a number in [0, 1]")
                }
                result[key] = score
            }
            return result
        }

        /// Reads `{"label": score}`; hazard aliases are translated to the hazard's model label.
        /// - Throws: a `ValidationError` naming every key that is none of a model label, a hazard ID, a Llama Guard
        ///   code, an OpenAI name, `unsafe` or `custom:<id>` (a typo would otherwise score nothing, silently).
        static func parseScores(_ json: String, taxonomy: HazardTaxonomy, customIDs: Set<String> = []) throws -> LabelScores {
            var values: [String: Double] = [:]
            var unknown: [String] = []
            for (key, score) in try scoreObject(json) {
                var label = key
                if taxonomy.hazards(forModelLabel: key).isEmpty, let id = taxonomy.resolve(key),
                   let first = taxonomy.modelLabels(for: id).first {
                    label = first
                } else if taxonomy.hazards(forModelLabel: key).isEmpty, key != LabelScores.unsafeLabel,
                          !(key.hasPrefix(CustomCategory.labelPrefix) && customIDs.contains(String(key.dropFirst(CustomCategory.labelPrefix.count)))) {
                    unknown.append(key)
                }
                values[label] = max(values[label] ?? 0, score)
            }
            guard unknown.isEmpty else {
                throw ValidationError(
                    "--scores: unknown key\(unknown.count == 1 ? "" : "s") \(unknown.sorted().joined(separator: ", ")); use model labels, "
                        + "hazard IDs, Llama Guard codes (S1), OpenAI names, 'unsafe' or 'custom:<id>' of the policy")
            }
            return LabelScores(values)
        }
    }
}

extension PolicyCommand {
    struct EvaluateCustom: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "evaluate-custom",
            abstract: "Measure a policy's custom categories on labelled texts with the shipped model's embeddings.",
            discussion: "The JSONL file has one {\"text\": ..., \"positive\": true|false} per line; keep it apart from the policy's examples."
        )

        @Argument(help: "Policy file with custom_categories.") var file: String
        @Argument(help: "Labelled JSONL texts.") var examples: String
        @Option(help: "Model bundle (default: Models/warden-minilm-lora).") var model: String?
        @OptionGroup var taxonomyOptions: TaxonomyOptions

        func run() async throws {
            let taxonomy = try taxonomyOptions.load()
            let policy = try PolicyLoader.load(from: URL(fileURLWithPath: file), taxonomy: taxonomy)
            guard !policy.customCategories.isEmpty else { throw ValidationError("\(file) defines no custom_categories") }
            let items = try LabelledText.load(from: URL(fileURLWithPath: examples))
            let classifier = try EncoderClassifier.load(bundle: Locations.model(model))
            let scorer = CustomCategoryScorer(embedder: classifier)
            for category in policy.customCategories {
                let result = try await scorer.evaluate(items, category: category)
                let format = { (value: Double?) in value.map { String(format: "%.3f", $0) } ?? "n/a" }
                print("\(category.id) at threshold \(category.threshold) on \(items.count) texts (embeddings of \(classifier.modelID)):")
                print("  precision \(format(result.precision))  recall \(format(result.recall))  F1 \(format(result.f1))")
                print("  TP \(result.truePositives)  FP \(result.falsePositives)  TN \(result.trueNegatives)  FN \(result.falseNegatives)")
            }
        }
    }
}
