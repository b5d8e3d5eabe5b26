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
        var firstLine: [String: Int] = [:]
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
            // A second line for the same item is a reviewer's slip; silently letting one win would hide it.
            let key = itemKey(source: addition.source, id: addition.id)
            if let earlier = firstLine[key] {
                throw .wrongType(file: url.path, line: lines.lineNumber, field: "id",
                                 expected: "an item not already reviewed (\(addition.source) \(addition.id) is on line \(earlier); merge the two lines)")
            }
            firstLine[key] = lines.lineNumber
            additions.append(addition)
        }
        return CategoryAdditions(additions)
    }

    /// The examples with the additions applied, how many were changed, and the additions that labelled nothing
    /// although their source was loaded (a mistyped id, or a source whose item is no longer unsafe and
    /// uncategorised). Additions for sources that were not loaded are not counted as unmatched.
    public func apply(to examples: [LabelledExample]) -> (examples: [LabelledExample], applied: Int, unmatched: [Addition]) {
        var byItem: [String: Addition] = [:]
        for addition in additions { byItem[Self.itemKey(source: addition.source, id: addition.id)] = addition }
        var matched = Set<String>()
        let result = examples.map { example -> LabelledExample in
            let key = Self.itemKey(source: example.source, id: example.id)
            guard let addition = byItem[key], example.unsafe, example.categories.isEmpty else { return example }
            matched.insert(key)
            var copy = example
            copy.categories = addition.categories
            copy.categoriesPartial = true
            return copy
        }
        let loadedSources = Set(examples.map(\.source))
        let unmatched = additions.filter {
            loadedSources.contains($0.source) && !matched.contains(Self.itemKey(source: $0.source, id: $0.id))
        }
        return (result, matched.count, unmatched)
    }

    /// Ids are unique only within a source, so an item is named by both.
    private static func itemKey(source: String, id: String) -> String { source + "\u{0}" + id }
}
