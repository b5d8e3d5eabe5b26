import ArgumentParser
import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenTraining

extension Train {
    struct Threshold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Choose a bundle's thresholds for a false-positive target on held-out benign text, and store them.",
            discussion: """
            Scores the calibration part of the fixed split (never the validation part) and chooses each label's \
            threshold so that, with every label blocking at its threshold (the default policy), at most --target-fpr \
            of the safe items of the benign sources are flagged; categories add at most --category-fpr each and never \
            go below 0.5 (ShippedThresholds in WardenEval). Writes thresholds and the record of the choice into the \
            bundle's manifest.json. Policies that name a number keep it; rules that say `threshold: model` (or \
            inherit it from `defaults`, as in the shipped default policy) use these.

            warden train threshold --model Models/warden-minilm-lora --data ../shared/data/train Data/contrast/train
            """
        )

        @OptionGroup var data: DataCommand.DataFiles
        @Option(help: "Model bundle folder to update.") var model: String
        @Option(help: "Which part of the split to choose on (calibration; validation is for reporting only).") var split = "calibration"
        @Option(help: "Decision-level false-positive target on the benign items.") var targetFpr = 0.03
        @Option(help: "False-positive rate each category label may add on its own.") var categoryFpr = 0.005
        @Option(help: "Lowest allowed `unsafe` threshold.") var unsafeFloor = 0.05
        @Option(parsing: .upToNextOption, help: "Sources whose safe items are the benign text (default: the realistic benign sources).")
        var benignSources: [String] = EvaluationOptions.defaultRealisticBenignSources
        @Option(help: "Items per forward pass.") var batch = 64
        @Option(help: "Forward-pass worker threads.") var workers = 2
        @Flag(help: "Also give each non-English language whose safe items (narrow sources such as GermEval left out) are flagged at the shared `unsafe` threshold outside --language-band its own threshold, chosen for --target-fpr on those items.")
        var perLanguage = false
        @Option(help: "With --per-language: the false-positive rates (low,high) at which a language keeps the shared threshold.")
        var languageBand = "0.01,0.06"
        @Flag(help: "Print the choice without writing the manifest.") var dryRun = false

        func run() async throws {
            guard let part = SplitPart(rawValue: split) else { throw ValidationError("--split must be train, calibration or validation") }
            guard part != .validation else {
                throw ValidationError("--split validation would choose thresholds on the items they are reported on; use calibration")
            }
            let folder = URL(fileURLWithPath: model, isDirectory: true)
            let classifier = try EncoderClassifier.load(bundle: folder, workers: workers)
            let examples = (DataSplit.standard.split(try data.load())[part] ?? []).map(Eval.honestLabels)
            let scores = try await Eval.score(examples, with: classifier, batch: batch)
            let point = try ShippedThresholds.choose(
                examples: examples, scores: scores, labels: classifier.manifest.labels, fixed: [LabelSpace.profanityLabel],
                benignSources: benignSources, split: part.rawValue, targetRate: targetFpr, categoryRate: categoryFpr,
                unsafeFloor: unsafeFloor)
            let shown = point.thresholds.sorted { $0.key < $1.key }.map { String(format: "%@ %.3f", $0.key, $0.value) }
            print("benign items: \(point.benignItems) (\(part.rawValue)); flagged at these thresholds: "
                + String(format: "%.2f%% (target %.2f%%)", point.achievedRate * 100, targetFpr * 100))
            print("thresholds: " + shown.joined(separator: ", "))
            var languages: LanguageThresholds?
            if perLanguage {
                let band = try Self.band(languageBand)
                let narrow = Set(TargetBuilder.standardNarrowSources.keys)
                languages = LanguageThresholds.choose(
                    examples: examples, scores: scores, shared: point.thresholds[LabelScores.unsafeLabel] ?? 0.5, band: band,
                    targetRate: targetFpr, floor: unsafeFloor, narrowSources: narrow)
                print("\nper language (safe items of the \(part.rawValue) split, without the narrow sources \(narrow.sorted().joined(separator: ", ")); "
                    + "own threshold when outside \(band)):\n" + languages!.markdown)
            }
            guard !dryRun else { return }
            var manifest = classifier.manifest
            manifest.thresholds = point.thresholds
            manifest.operatingPoint = point
            if let languages { manifest.languageThresholds = languages.manifestValue.isEmpty ? nil : languages.manifestValue }
            try manifest.write(to: folder)
            note("wrote the thresholds into \(folder.appendingPathComponent("manifest.json").path)")
        }
    
        static func band(_ text: String) throws -> ClosedRange<Double> {
            let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, parts[0] >= 0, parts[0] < parts[1], parts[1] <= 1 else {
                throw ValidationError("--language-band must be two rates low,high with 0 <= low < high <= 1, not '\(text)'")
            }
            return parts[0]...parts[1]
        }
    }
}
