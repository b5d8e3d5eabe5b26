import ArgumentParser
import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenTokenizer
import WardenTraining

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the classifier on labelled JSONL: precision, recall, F1, AUPRC, ROC-AUC, FPR, ECE with bootstrap intervals.",
        discussion: """
        warden eval --data ../shared/data/train --split validation --output reports/validation
        warden eval --data exported-reviews.jsonl --output reports/reviews
        warden eval --data ../shared/data/train --split validation --perturb mixed --output reports/perturbed

        Davidson tweets labelled "offensive" (profanity without hate) are scored as safe with the \
        `profanity` category, the same mapping training uses.
        """
    )

    @OptionGroup var data: DataCommand.DataFiles
    @Option(help: "Which part of the fixed split to use: train, calibration, validation, or all.") var split = "all"
    @Option(help: "Folder for report.json, report.md and SVG curves.") var output: String?
    @Option(help: "Perturb every text first (leetspeak, randomCase, spacedLetters, homoglyphs, zeroWidth, mixed).")
    var perturb: String?
    @Option(help: "Per-word or per-letter rate of the perturbation.") var perturbRate = 0.3
    @Option(help: "Evaluate at most this many items (a deterministic subset).") var limit: Int?
    @Option(help: "Items per forward pass.") var batch = 64
    @Option(help: "Bootstrap resamples (0 turns intervals off).") var resamples = 1000
    @Option(help: "A report.json of another model on the same data: print both side by side (e.g. frozen head vs fine-tuned).")
    var baseline: String?
    @Option(help: ArgumentHelp(
        "Another model bundle to score the same items with: prints and writes comparison-paired.md/.json, paired bootstrap intervals of each difference.",
        valueName: "bundle"))
    var compareModel: String?
    @OptionGroup var classifier: ClassifierOptions

    func run() async throws {
        var examples = try data.load()
        if split != "all" {
            guard let part = SplitPart(rawValue: split) else { throw ValidationError("--split must be train, calibration, validation or all") }
            examples = DataSplit.standard.split(examples)[part] ?? []
        }
        if let limit, examples.count > limit {
            examples = examples.sorted { DataSplit.fnv1a("eval:" + $0.id) < DataSplit.fnv1a("eval:" + $1.id) }.prefix(limit).map { $0 }
        }
        examples = examples.map(Self.honestLabels)
        if let perturb {
            guard let transform = Obfuscator.Transform(rawValue: perturb) else {
                throw ValidationError("--perturb must be one of \(Obfuscator.Transform.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            examples = examples.map { example in
                var copy = example
                let seed = DataSplit.fnv1a("perturb:" + example.id)
                copy.prompt = Obfuscator.obfuscate(example.prompt, with: transform, rate: perturbRate, seed: seed)
                copy.response = example.response.map { Obfuscator.obfuscate($0, with: transform, rate: perturbRate, seed: seed &+ 1) }
                return copy
            }
        }
        let model = try classifier.loadClassifier()
        // Loaded before scoring so a wrong path fails in a second, not after the first model's pass.
        let other = try compareModel.map { try EncoderClassifier.load(bundle: URL(fileURLWithPath: $0), workers: classifier.workers) }
        let taxonomy = try classifier.loadTaxonomy()
        let space = LabelSpace(taxonomy: taxonomy)

        let start = Date()
        let scores = try await Self.score(examples, with: model, batch: batch)
        let seconds = Date().timeIntervalSince(start)
        let mapping = CategoryMapping(space.labelForCode.filter {
            CategoryMapping.datasetCodes.contains($0.key) || $0.key == LabelSpace.profanityLabel
        })
        var options = EvaluationOptions()
        options.bootstrap.resamples = resamples
        let report = try EvaluationReport(
            examples: examples, scores: scores, thresholds: model.manifest.thresholds, categoryMapping: mapping, options: options,
            metadata: [
                "model": model.modelID, "split": split, "data": data.paths.joined(separator: " "),
                "perturbation": perturb.map { "\($0)@\(perturbRate)" } ?? "none",
                "items_per_second": String(format: "%.1f", Double(examples.count) / max(seconds, 1e-9)),
            ])
        print(report.markdown(title: "Warden evaluation: \(model.modelID) on \(split)"))
        if let baseline {
            let base = try EvaluationReport.load(URL(fileURLWithPath: baseline))
            print(ReportComparison.markdown(baseline: base, candidate: report,
                                            baselineName: base.metadata["model"] ?? "baseline", candidateName: model.modelID))
        }
        if let output {
            let files = try report.write(to: URL(fileURLWithPath: output, isDirectory: true))
            note("wrote " + files.map(\.lastPathComponent).joined(separator: ", ") + " to \(output)")
        }
        if let other {
            let otherScores = try await Self.score(examples, with: other, batch: batch)
            let comparison = try PairedComparison(
                examples: examples,
                baseline: (other.modelID, otherScores, other.manifest.thresholds),
                candidate: (model.modelID, scores, model.manifest.thresholds),
                categoryMapping: mapping, options: options)
            print(comparison.markdown)
            if let output {
                let folder = URL(fileURLWithPath: output, isDirectory: true)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(comparison).write(to: folder.appendingPathComponent("comparison-paired.json"))
                try Data(comparison.markdown.utf8).write(to: folder.appendingPathComponent("comparison-paired.md"))
                note("wrote comparison-paired.md, comparison-paired.json to \(output)")
            }
        }
    }

    static func score(_ examples: [LabelledExample], with model: EncoderClassifier, batch: Int) async throws -> [LabelScores] {
        var scores: [LabelScores] = []
        var bar = ProgressBar(total: examples.count, label: "scored \(model.modelID)")
        for chunk in stride(from: 0, to: examples.count, by: batch) {
            let items = examples[chunk..<min(chunk + batch, examples.count)]
            scores += try await model.classify(items.map(\.classificationInput))
            bar.update(scores.count)
        }
        return scores
    }

    /// The label mapping training uses (see `TargetBuilder`): profanity without hate is safe.
    static func honestLabels(_ example: LabelledExample) -> LabelledExample {
        guard TargetBuilder.isProfanityOnly(example) else { return example }
        var copy = example
        copy.unsafe = false
        copy.categories = [LabelSpace.profanityLabel]
        return copy
    }
}
