import ArgumentParser
import Foundation
import WardenCore
import WardenTaxonomy

/// Where the taxonomy comes from: `--taxonomy`, else `WARDEN_TAXONOMY`, else the shipped file
/// relative to the working directory.
struct TaxonomyOptions: ParsableArguments {
    static let defaultPath = "Taxonomy/mlcommons-v1.yaml"

    @Option(name: .customLong("taxonomy"), help: "Taxonomy file (default: $WARDEN_TAXONOMY, else \(defaultPath)).")
    var taxonomyPath: String?

    /// The flag, then `$WARDEN_TAXONOMY`, then the shipped file found as every command finds it (``Locations``).
    var url: URL { Locations.taxonomy(taxonomyPath) }

    func load() throws -> HazardTaxonomy { try TaxonomyLoader.load(from: url) }
}

struct TaxonomyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxonomy",
        abstract: "Inspect hazard taxonomies.",
        subcommands: [Show.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a taxonomy's categories: ID, Llama Guard code, OpenAI names and name."
        )

        @Argument(help: "Taxonomy file; overrides --taxonomy and WARDEN_TAXONOMY.")
        var file: String?

        @OptionGroup var options: TaxonomyOptions

        func run() async throws {
            let url = file.map { URL(fileURLWithPath: $0) } ?? options.url
            let taxonomy = try TaxonomyLoader.load(from: url)
            let version = taxonomy.version.map { " version \($0)" } ?? ""
            print("\(taxonomy.id)\(version) (\(url.relativePath)): \(taxonomy.categories.count) categories\n")
            let rows = taxonomy.categories.map { category in
                [category.id.rawValue, category.llamaGuardCode ?? "-",
                 category.openAINames.isEmpty ? "-" : category.openAINames.joined(separator: ", "), category.name]
            }
            print(AlignedColumns(header: ["ID", "CODE", "OPENAI", "NAME"], rows: rows).rendered)
            print("\ngroups")
            for group in taxonomy.groups {
                let members = taxonomy.members(ofGroup: group.id).map(\.rawValue).joined(separator: ", ")
                print("  \(group.id): \(members)")
            }
        }
    }
}

/// Left-aligned columns separated by two spaces.
struct AlignedColumns {
    var header: [String]
    var rows: [[String]]

    var rendered: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
