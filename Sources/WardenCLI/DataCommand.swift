import ArgumentParser
import Foundation
import WardenEval
import WardenModel
import WardenTaxonomy
import WardenTraining

struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect the training mixture and write the fixed train/calibration/validation split.",
        subcommands: [Stats.self, Split.self, Languages.self]
    )

    /// The data files and the taxonomy their labels map onto (commands that train or summarise data).
    struct DataOptions: ParsableArguments {
        @OptionGroup var source: DataFiles

        @Option(help: "Taxonomy file (default: Taxonomy/mlcommons-v1.yaml).")
        var taxonomy: String?

        var paths: [String] { source.paths }
        func load() throws -> [LabelledExample] { try source.load() }
        func files() throws -> [URL] { try source.files() }
        func manifestFiles(examples: [LabelledExample]) throws -> [ModelManifest.DataFile] { try source.manifestFiles(examples: examples) }

        func targets() throws -> TargetBuilder {
            TargetBuilder(space: LabelSpace(taxonomy: try TaxonomyLoader.load(from: Locations.taxonomy(taxonomy))))
        }
    }

    /// Labelled JSONL files and the reviewed category additions applied to them. (`warden eval` takes its taxonomy
    /// from the classifier options, so the taxonomy flag is not part of this group.)
    struct DataFiles: ParsableArguments {
        @Option(name: .customLong("data"), parsing: .upToNextOption, help: "JSONL files or folders of them (the ../shared/data schema).")
        var paths: [String]

        @Option(help: ArgumentHelp(
            "Reviewed category additions for uncategorised unsafe items (default: Data/category-additions.jsonl; none turns them off).",
            valueName: "file"))
        var categoryAdditions: String?

        func load() throws -> [LabelledExample] {
            let examples = try LabelledDataset.load(try files())
            guard let additions = try loadCategoryAdditions() else { return examples }
            let applied = additions.apply(to: examples)
            if !applied.unmatched.isEmpty, let file = categoryAdditionsFile() {
                // Not fatal: the rest of the review still holds. But a reviewed line that labels nothing is a
                // mistyped id or a changed source, and the reviewer should know.
                let items = applied.unmatched.prefix(5).map { "\($0.source) \($0.id)" }.joined(separator: ", ")
                let more = applied.unmatched.count > 5 ? ", …" : ""
                FileHandle.standardError.write(Data(("warning: \(applied.unmatched.count) of \(additions.additions.count) "
                    + "category additions in \(file.path) match no unsafe, uncategorised item of their source (\(items)\(more)); "
                    + "check the id, or remove the line if the source now labels the item itself.\n").utf8))
            }
            return applied.examples
        }

        /// The additions file named by the flag, else the shipped one when it exists.
        func categoryAdditionsFile() -> URL? {
            if categoryAdditions == "none" { return nil }
            let url = Locations.resolve(categoryAdditions, environment: "WARDEN_CATEGORY_ADDITIONS", fallback: Locations.defaultCategoryAdditions)
            return categoryAdditions != nil || FileManager.default.fileExists(atPath: url.path) ? url : nil
        }

        func loadCategoryAdditions() throws -> CategoryAdditions? {
            try categoryAdditionsFile().map { try CategoryAdditions.load(from: $0) }
        }

        /// What a model manifest records about the data it was trained on: every file with its sha256 and
        /// items, the additions file with the number of items it labelled.
        func manifestFiles(examples: [LabelledExample]) throws -> [ModelManifest.DataFile] {
            var result: [ModelManifest.DataFile] = []
            for file in try files() {
                let items = examples.filter { $0.source == file.deletingPathExtension().lastPathComponent }.count
                result.append(.init(file: file.lastPathComponent, sha256: try ModelStore.sha256(of: file), items: items))
            }
            if let additions = categoryAdditionsFile() {
                let labelled = examples.filter { $0.categoriesPartial == true }.count
                result.append(.init(file: additions.lastPathComponent, sha256: try ModelStore.sha256(of: additions), items: labelled))
            }
            return result
        }

        func files() throws -> [URL] { try Self.expand(paths) }

        /// JSONL files named directly, and those inside named folders.
        static func expand(_ paths: [String]) throws -> [URL] {
            var files: [URL] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw ValidationError("No such file or folder: \(path)")
                }
                files += isDirectory.boolValue ? try LabelledDataset.files(in: URL(fileURLWithPath: path)) : [URL(fileURLWithPath: path)]
            }
            guard !files.isEmpty else { throw ValidationError("No .jsonl files in \(paths.joined(separator: ", "))") }
            return files
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the per-source mixture a training run will see.")
        @OptionGroup var data: DataOptions
        @Option(help: ArgumentHelp("One of \(DataMixture.named.keys.sorted().joined(separator: ", ")) (DataMixture.named; Docs/training.md says what each holds)."))
        var mixture = "standard"
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let chosen = try DataMixture.named(mixture)
            let report = MixtureReport(examples: try data.load(), split: .standard, mixture: chosen, targets: try data.targets())
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.markdown)
            }
        }
    }

    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write train.jsonl, calibration.jsonl and validation.jsonl of the fixed split (stratified by source).")
        @OptionGroup var data: DataOptions
        @Option(help: "Output folder.") var output: String

        func run() async throws {
            let parts = DataSplit.standard.split(try data.load())
            let folder = URL(fileURLWithPath: output, isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for part in SplitPart.allCases {
                let examples = parts[part] ?? []
                try LabelledDataset.write(examples, to: folder.appendingPathComponent("\(part.rawValue).jsonl"))
                print("\(part.rawValue): \(examples.count) items")
            }
        }
    }
}
