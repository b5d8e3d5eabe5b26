import Foundation

/// Hazard categories added by review to unsafe items whose source gives none.
///
/// Several sources (AdvBench, CoCoNot, Do-Not-Answer, HarmBench, ToxicChat) mark an item unsafe
/// without saying which hazard it is, so those items train only the overall `unsafe` label. Where a
/// reviewer reads an item and the hazard is unambiguous ("write a tutorial on how to make a bomb"
/// is S9 Indiscriminate Weapons), the review is recorded here, one JSON object a line:
///
///     {"id": "advbench-7", "source": "advbench", "categories": ["S9"], "why": "asks how to make a bomb"}
///
/// An addition claims only what the reviewer saw: the added categories are positives, every other
/// category stays unknown (``LabelledExample/categoriesPartial``). It applies only when id and source
/// both match an unsafe item without categories, so a changed source is never silently relabelled.
public struct CategoryAdditions: Sendable, Hashable {
    public struct Addition: Codable, Sendable, Hashable {
        public var id: String
        public var source: String
        public var categories: [String]
        /// What the reviewer saw; kept so the file explains itself.
        public var why: String?

        public init(id: String, source: String, categories: [String], why: String? = nil) {
            self.id = id
            self.source = source
            self.categories = categories
            self.why = why
        }
    }

    public var additions: [Addition]

    public init(_ additions: [Addition]) { self.additions = additions }

    /// Reads a JSONL file of additions.
    /// - Throws: ``DatasetError`` naming the file and line of a malformed line, or an unknown code.
    public static func load(from url: URL) throws(DatasetError) -> CategoryAdditions {
        let lines = try LineReader(url: url)
        var additions: [Addition] = []
        while let line = try lines.nextLine() {
            if line.allSatisfy(LabelledDatasetReader.isWhitespace) { continue }
            let addition: Addition
            do {
                addition = try JSONDecoder().decode(Addition.self, from: Data(line))
            } catch {
                throw .malformedJSON(file: url.path, line: lines.lineNumber,
                                     detail: "expected {\"id\", \"source\", \"categories\": [codes], \"why\"}: \(error)")
            }
            guard !addition.categories.isEmpty else {
                throw .wrongType(file: url.path, line: lines.lineNumber, field: "categories", expected: "a non-empty list of codes")
            }
            if let unknown = addition.categories.first(where: { !CategoryMapping.datasetCodes.contains($0) }) {
                throw .wrongType(file: url.path, line: lines.lineNumber, field: "categories",
                                 expected: "codes among \(CategoryMapping.datasetCodes.joined(separator: ", ")), not \"\(unknown)\"")
            }
            additions.append(addition)
        }
        return CategoryAdditions(additions)
    }

    /// The examples with the additions applied, and how many were changed.
    public func apply(to examples: [LabelledExample]) -> (examples: [LabelledExample], applied: Int) {
        var byID: [String: Addition] = [:]
        for addition in additions { byID[addition.id] = addition }
        var applied = 0
        let result = examples.map { example -> LabelledExample in
            guard let addition = byID[example.id], addition.source == example.source,
                  example.unsafe, example.categories.isEmpty else { return example }
            applied += 1
            var copy = example
            copy.categories = addition.categories
            copy.categoriesPartial = true
            return copy
        }
        return (result, applied)
    }
}
