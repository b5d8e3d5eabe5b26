import ArgumentParser
import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenServer
import WardenTokenizer
import WardenTraining

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the classifier on labelled JSONL: precision, recall, F1, AUPRC, ROC-AUC, FPR, ECE with bootstrap intervals.",
        discussion: """
        warden eval --data ../shared/data/train --split validation --output reports/validation
        warden eval --data exported-reviews.jsonl --output reports/reviews
        warden eval --data ../shared/data/train --split validation --perturb mixed --output reports/perturbed
        warden eval --data ../shared/data/train --split validation --group-by orig_labels.lang --output reports/by-language
        warden eval --data Data/contrast/heldout --output reports/contrast    # pair and identity-swap metrics

        --output also writes predictions.jsonl (every item's scores and whether it was flagged), and report.md lists         each source's highest-scoring false positives and lowest-scoring misses. Items with contrast fields         (orig_labels.pair/role or template/group/base, see Data/contrast) add contrast.md.

        Davidson tweets labelled "offensive" (profanity without hate) are scored as safe with the \
        `profanity` category, the same mapping training uses.
        """
    )

    @OptionGroup var data: DataCommand.DataFiles
    @Option(help: "Which part of the fixed split to use: train, calibration, validation, or all.") var split = "all"
    @Option(help: "Folder for report.json, report.md, report.html (one self-contained page) and SVG curves.") var output: String?
    @Option(help: "Perturb every text first (leetspeak, randomCase, spacedLetters, homoglyphs, zeroWidth, mixed).")
    var perturb: String?
    @Option(help: "Per-word or per-letter rate of the perturbation.") var perturbRate = 0.3
    @Option(help: "Evaluate at most this many items (a deterministic subset).") var limit: Int?
    @Option(help: "Items per forward pass.") var batch = 64
    @Option(help: "Bootstrap resamples (0 turns intervals off).") var resamples = 1000
    @Option(name: .customLong("group-by"), help: ArgumentHelp(
        "Add an `unsafe` table per value of this field: \(EvaluationReport.groupFieldHelp). Repeatable.", valueName: "field"))
    var groupBy: [String] = []
    @Option(help: "Count items without a --group-by value as this value (en with orig_labels.lang: the corpora that carry no language are English) instead of leaving them out.")
    var untagged: String?
    @Option(help: "False positives and misses listed per source in report.md.") var errorsPerSource = 5
    @Option(name: .customLong("withhold-text"), help: ArgumentHelp(
        "List this source's errors by id and score without their text (`*`: every source), for reports you publish while the data's licence forbids republishing it. Repeatable.", valueName: "source"))
    var withholdText: [String] = []
    @Option(help: "A report.json of another model on the same data: print both side by side (e.g. frozen head vs fine-tuned).")
    var baseline: String?
    @Option(help: ArgumentHelp(
        "Another model bundle to score the same items with: prints and writes comparison-paired.md/.json (and a section of report.html), paired bootstrap intervals of each difference.",
        valueName: "bundle"))
    var compareModel: String?
    @Option(help: ArgumentHelp(
        "Also measure a policy's decisions as deployed (its thresholds, lists, custom categories, on_error): flagged = review or block, with intervals.",
        valueName: "policy id"))
    var policy: String?
    @Option(help: "Policies folder for --policy (default: $WARDEN_POLICIES or Policies).") var policies: String?
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
        let judgeModel = try classifier.loadJudge()
        let model = judgeModel.classifier
        let thresholds = model.operatingThresholds
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
        var report = try EvaluationReport(
            examples: examples, scores: scores, thresholds: thresholds, categoryMapping: mapping, options: options,
            metadata: [
                "model": model.modelID, "split": split, "data": data.paths.joined(separator: " "),
                "perturbation": perturb.map { "\($0)@\(perturbRate)" } ?? "none",
                "items_per_second": String(format: "%.1f", Double(examples.count) / max(seconds, 1e-9)),
            ])
        for field in groupBy where !examples.contains(where: { $0.groupValue(of: field) != nil }) {
            throw ValidationError("--group-by \(field): no item has that field (use \(EvaluationReport.groupFieldHelp))")
        }
        try report.addGroups(groupBy, examples: examples, scores: scores, thresholds: thresholds, untagged: untagged)
        try report.addErrors(examples: examples, scores: scores, limit: errorsPerSource, withheld: Set(withholdText))
        let contrast = ContrastReport(examples: examples, scores: scores, threshold: thresholds[LabelScores.unsafeLabel] ?? 0.5,
                                      bootstrap: options.bootstrap)
        print(report.markdown(title: "Warden evaluation: \(model.modelID) on \(split)"))
        if let contrast { print("## Contrast pairs and identity swaps\n\n" + contrast.markdown + "\n") }
        var deployment: DecisionReport?
        if let policy {
            let inputs = examples.map(\.classificationInput)
            let judge = try await CheckJudge(
                model: judgeModel, taxonomy: taxonomy, policies: Locations.policies(policies), policyID: policy,
                scores: Dictionary(zip(inputs, scores), uniquingKeysWith: { first, _ in first }))
            let results = await judge.check(examples.map { ($0.classificationInput.conversation, $0.classificationInput.direction) })
            deployment = DecisionReport(
                policy: policy, examples: examples, decisions: results.map { try? $0.get().verdict.decision }, options: options)
            print(deployment!.markdown)
        }
        if let baseline {
            let base = try EvaluationReport.load(URL(fileURLWithPath: baseline))
            print(ReportComparison.markdown(baseline: base, candidate: report,
                                            baselineName: base.metadata["model"] ?? "baseline", candidateName: model.modelID))
        }
        // Scored before the files are written, so report.html can show the paired differences.
        var comparison: PairedComparison?
        if let other {
            let otherScores = try await Self.score(examples, with: other, batch: batch)
            comparison = try PairedComparison(
                examples: examples,
                baseline: (other.modelID, otherScores, other.manifest.thresholds),
                candidate: (model.modelID, scores, thresholds),
                categoryMapping: mapping, options: options)
            print(comparison!.markdown)
        }
        if let output {
            let folder = URL(fileURLWithPath: output, isDirectory: true)
            var files = try report.write(
                to: folder, title: "Warden evaluation: \(model.modelID) on \(split)", comparison: comparison)
            files.append(try Self.writePredictions(examples, scores: scores, thresholds: thresholds, to: folder))
            if let deployment {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(deployment).write(to: folder.appendingPathComponent("deployment.json"))
                try Data(deployment.markdown.utf8).write(to: folder.appendingPathComponent("deployment.md"))
                files += [folder.appendingPathComponent("deployment.md"), folder.appendingPathComponent("deployment.json")]
            }
            if let contrast {
                let url = folder.appendingPathComponent("contrast.md")
                try Data(("# Contrast pairs and identity swaps: \(model.modelID)\n\n" + contrast.markdown + "\n").utf8).write(to: url)
                files.append(url)
            }
            note("wrote " + files.map(\.lastPathComponent).joined(separator: ", ") + " to \(output)")
        }
        if let comparison, let output {
            let folder = URL(fileURLWithPath: output, isDirectory: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(comparison).write(to: folder.appendingPathComponent("comparison-paired.json"))
            try Data(comparison.markdown.utf8).write(to: folder.appendingPathComponent("comparison-paired.md"))
            note("wrote comparison-paired.md, comparison-paired.json to \(output)")
        }
    }

    static func score(_ examples: [LabelledExample], with model: any SafetyClassifier, batch: Int) async throws -> [LabelScores] {
        var scores: [LabelScores] = []
        var bar = ProgressBar(total: examples.count, label: "scored \(model.modelID)")
        for chunk in stride(from: 0, to: examples.count, by: batch) {
            let items = examples[chunk..<min(chunk + batch, examples.count)]
            scores += try await model.classify(items.map(\.classificationInput))
            bar.update(scores.count)
        }
        return scores
    }

    /// `predictions.jsonl`: per item its id, source, truth, every score and whether `unsafe` was flagged, in input order, for
    /// the user's own error analysis.
    static func writePredictions(
        _ examples: [LabelledExample], scores: [LabelScores], thresholds: [String: Double], to folder: URL
    ) throws -> URL {
        struct Line: Encodable {
            let id: String, source: String, unsafe: Bool, categories: [String], scores: LabelScores, flagged: Bool
        }
        let threshold = thresholds[LabelScores.unsafeLabel] ?? 0.5
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for (example, score) in zip(examples, scores) {
            data += try encoder.encode(Line(id: example.id, source: example.source, unsafe: example.unsafe, categories: example.categories,
                                            scores: score, flagged: score.unsafe >= threshold))
            data.append(0x0A)
        }
        let url = folder.appendingPathComponent("predictions.jsonl")
        try data.write(to: url, options: .atomic)
        return url
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
