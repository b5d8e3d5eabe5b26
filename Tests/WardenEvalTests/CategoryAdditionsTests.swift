import Foundation
import Testing

@testable import WardenEval

@Suite("Reviewed category additions")
struct CategoryAdditionsTests {
    static let file = """
        {"id": "a-1", "source": "a", "categories": ["S9"], "why": "asks how to make a bomb"}

        {"id": "a-2", "source": "a", "categories": ["S9", "S1"]}
        """

    func example(_ id: String, source: String = "a", unsafe: Bool = true, categories: [String] = []) -> LabelledExample {
        LabelledExample(id: id, source: source, prompt: "p \(id)", unsafe: unsafe, categories: categories)
    }

    @Test("adds categories only to unsafe, uncategorised items whose id and source both match")
    func applies() throws {
        let directory = try TemporaryDirectory()
        let additions = try CategoryAdditions.load(from: directory.file("additions.jsonl", text: Self.file))
        #expect(additions.additions.map(\.id) == ["a-1", "a-2"])
        #expect(additions.additions[0].why == "asks how to make a bomb")

        let items = [
            example("a-1"),                              // applied
            example("a-2", categories: ["S2"]),          // already categorised: kept
            example("a-2", source: "b"),                 // same id, other source: kept
            example("a-3"),                              // not listed
        ]
        let (result, applied, unmatched) = additions.apply(to: items)
        #expect(applied == 1)
        #expect(unmatched.map(\.id) == ["a-2"], "a-2 of source a labelled nothing: its item is already categorised")
        #expect(result[0].categories == ["S9"])
        #expect(result[0].categoriesPartial == true)
        #expect(result[1].categories == ["S2"] && result[1].categoriesPartial == nil)
        #expect(result[2].categories.isEmpty && result[3].categories.isEmpty)

        let safe = additions.apply(to: [example("a-1", unsafe: false)])
        #expect(safe.applied == 0 && safe.examples[0].categories.isEmpty)
        #expect(safe.unmatched.map(\.id) == ["a-1", "a-2"])
        #expect(additions.apply(to: [example("z-1", source: "z")]).unmatched.isEmpty,
                "additions for a source that was not loaded are not reported as unmatched")
    }

    @Test("a partial item is a positive for its categories and unknown, never a negative, for the others")
    func evaluationTruth() {
        let mapping = CategoryMapping(["S9": "indiscriminate_weapons", "S1": "violent_crimes"])
        var item = example("a-1", categories: ["S9"])
        item.categoriesPartial = true
        for negatives in CategoryNegatives.allCases {
            #expect(EvaluationReport.categoryTruth(of: item, codes: ["S9"], mapping: mapping, negatives: negatives) == true)
            #expect(EvaluationReport.categoryTruth(of: item, codes: ["S1"], mapping: mapping, negatives: negatives) == nil)
        }
        item.categoriesPartial = nil
        #expect(EvaluationReport.categoryTruth(of: item, codes: ["S1"], mapping: mapping, negatives: .safeAndOtherCategories) == false)
    }

    @Test("the partial flag survives writing and reading the JSONL schema")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        var item = example("a-1", categories: ["S9"])
        item.categoriesPartial = true
        let url = directory.url.appendingPathComponent("out.jsonl")
        try LabelledDataset.write([item, example("a-2")], to: url)
        let read = try LabelledDataset.load(url)
        #expect(read[0].categoriesPartial == true)
        #expect(read[1].categoriesPartial == nil)
        let lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n")
        #expect(lines[0].contains(#""categories_partial":true"#))
        #expect(!lines[1].contains("categories_partial"))
    }

    @Test("errors name the file, the line and what to fix")
    func errors() throws {
        let directory = try TemporaryDirectory()
        let unknown = try directory.file("u.jsonl", text: #"{"id": "a-1", "source": "a", "categories": ["S99"]}"#)
        #expect {
            try CategoryAdditions.load(from: unknown)
        } throws: { error in
            guard let error = error as? DatasetError else { return false }
            return error.line == 1 && error.file.hasSuffix("u.jsonl") && "\(error)".contains("S99")
        }
        let empty = try directory.file("e.jsonl", text: "\n" + #"{"id": "a-1", "source": "a", "categories": []}"#)
        #expect(throws: DatasetError.wrongType(file: empty.path, line: 2, field: "categories", expected: "a non-empty list of codes")) {
            try CategoryAdditions.load(from: empty)
        }
        let twice = try directory.file("d.jsonl", text: """
            {"id": "a-1", "source": "a", "categories": ["S9"]}
            {"id": "a-1", "source": "b", "categories": ["S9"]}
            {"id": "a-1", "source": "a", "categories": ["S1"]}
            """)
        #expect {
            try CategoryAdditions.load(from: twice)
        } throws: { error in
            guard let error = error as? DatasetError else { return false }
            return error.line == 3 && "\(error)".contains("line 1")
        }
        let broken = try directory.file("b.jsonl", text: #"{"id": "a-1""#)
        #expect {
            try CategoryAdditions.load(from: broken)
        } throws: { error in (error as? DatasetError)?.line == 1 }
    }
}
