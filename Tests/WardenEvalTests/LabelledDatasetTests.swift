import Foundation
import Testing
import WardenCore

@testable import WardenEval

@Suite("Labelled JSONL reading and writing")
struct LabelledDatasetTests {
    static let promptOnly =
        #"{"id": "t-0", "source": "t", "prompt": "hi", "unsafe": false, "categories": [], "orig_labels": {"toxicity": 0, "score": 0.25, "note": "a/b", "tags": [true, null]}}"#
    static let withResponse =
        #"{"id": "t-1", "source": "t", "prompt": "q", "response": "a", "unsafe": true, "categories": ["S1", "S10"]}"#

    @Test("reads examples, skips blank lines and tolerates CRLF and a BOM")
    func readsExamples() throws {
        let directory = try TemporaryDirectory()
        let text = "\u{FEFF}" + Self.promptOnly + "\r\n\n   \n" + Self.withResponse
        let url = try directory.file("data.jsonl", text: text)

        let examples = try LabelledDataset.load(url)

        #expect(examples.map(\.id) == ["t-0", "t-1"])
        #expect(examples[0].response == nil)
        #expect(examples[0].direction == .input)
        #expect(examples[0].conversation == Conversation([.user("hi")]))
        #expect(examples[0].origLabels?["toxicity"] == .integer(0))
        #expect(examples[0].origLabels?["score"] == .number(0.25))
        #expect(examples[0].origLabels?["tags"] == .array([.bool(true), .null]))
        #expect(examples[1].direction == .output)
        #expect(examples[1].conversation == Conversation([.user("q"), .assistant("a")]))
        #expect(examples[1].categories == ["S1", "S10"])
        #expect(examples[1].origLabels == nil)
    }

    @Test("the async sequence yields the same examples as load")
    func asyncLines() async throws {
        let directory = try TemporaryDirectory()
        let url = try directory.file("data.jsonl", text: Self.promptOnly + "\n" + Self.withResponse + "\n")
        var ids: [String] = []
        for try await example in LabelledDataset.lines(of: url) { ids.append(example.id) }
        #expect(ids == ["t-0", "t-1"])
    }

    @Test("a line longer than the read chunk is read whole")
    func longLine() throws {
        let directory = try TemporaryDirectory()
        let prompt = String(repeating: "é", count: 700_000)  // 1.4 MB, more than one 1 MiB chunk
        let line = #"{"id": "x", "source": "s", "prompt": "\#(prompt)", "unsafe": true, "categories": []}"#
        let url = try directory.file("long.jsonl", text: Self.promptOnly + "\n" + line + "\n" + Self.withResponse)
        let examples = try LabelledDataset.load(url)
        #expect(examples.map(\.id) == ["t-0", "x", "t-1"])
        #expect(examples[1].prompt == prompt)
    }

    static let badLines: [(line: String, check: @Sendable (DatasetError) -> Bool)] = [
        (
            #"{"id": "a", "source": "s", "prompt": "p", "unsafe": true"#,
            {
                if case .malformedJSON = $0 { true } else { false }
            }
        ),
        (
            #"{"id": "a", "source": "s", "prompt": "p", "categories": []}"#,
            {
                $0 == .missingField(file: $0.file, line: 3, field: "unsafe")
            }
        ),
        (
            #"{"id": "a", "source": "s", "prompt": "p", "unsafe": "yes", "categories": []}"#,
            {
                if case .wrongType(_, 3, "unsafe", _) = $0 { true } else { false }
            }
        ),
        (
            #"{"id": "a", "source": "s", "prompt": "p", "unsafe": true, "categories": ["S1", 2]}"#,
            {
                if case .wrongType(_, 3, "categories[1]", _) = $0 { true } else { false }
            }
        ),
        (
            #"{"id": "a", "source": null, "prompt": "p", "unsafe": true, "categories": []}"#,
            {
                if case .wrongType(_, 3, "source", _) = $0 { true } else { false }
            }
        ),
    ]

    @Test("errors name the file and the line", arguments: 0..<badLines.count)
    func badLine(index: Int) throws {
        let directory = try TemporaryDirectory()
        let bad = Self.badLines[index]
        let url = try directory.file("broken.jsonl", text: Self.promptOnly + "\n\n" + bad.line + "\n")
        do {
            _ = try LabelledDataset.load(url)
            Issue.record("expected an error for \(bad.line)")
        } catch {
            #expect(error.line == 3)
            #expect(error.file == url.path)
            #expect(bad.check(error), "unexpected error \(error)")
            #expect(error.description.hasPrefix("\(url.path):3: "))
        }
    }

    @Test("invalid UTF-8 is reported with its line and byte offset")
    func invalidUTF8() throws {
        let directory = try TemporaryDirectory()
        let bytes =
            Array((Self.promptOnly + "\n").utf8) + Array(#"{"id": ""#.utf8) + [0xC3, 0x28]
            + Array(#"", "source": "s", "prompt": "p", "unsafe": true, "categories": []}"#.utf8)
        let url = try directory.file("latin.jsonl", bytes: bytes)
        #expect(throws: DatasetError.invalidUTF8(file: url.path, line: 2, byteOffset: 8)) {
            try LabelledDataset.load(url)
        }
    }

    @Test("a missing file is an unreadable error naming it")
    func missingFile() async throws {
        let url = URL(fileURLWithPath: "/nonexistent/warden/none.jsonl")
        do {
            _ = try LabelledDataset.load(url)
            Issue.record("expected an error")
        } catch {
            guard case .unreadable(let file, _) = error else {
                Issue.record("got \(error)")
                return
            }
            #expect(file == url.path)
        }
        await #expect(throws: DatasetError.self) {
            for try await _ in LabelledDataset.lines(of: url) {}
        }
    }

    @Test("writing then reading gives the same examples, keys in schema order")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let source = try directory.file("in.jsonl", text: Self.promptOnly + "\n" + Self.withResponse + "\n")
        let examples = try LabelledDataset.load(source)
        let copy = directory.url.appendingPathComponent("out.jsonl")

        try LabelledDataset.write(examples, to: copy)

        #expect(try LabelledDataset.load(copy) == examples)
        let lines = try String(contentsOf: copy, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines[1]
                == #"{"id":"t-1","source":"t","prompt":"q","response":"a","unsafe":true,"categories":["S1","S10"]}"#)
        #expect(lines[0].hasSuffix(#""orig_labels":{"note":"a/b","score":0.25,"tags":[true,null],"toxicity":0}}"#))
    }

    @Test("files(in:) lists only .jsonl files, sorted")
    func listsFiles() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.file("b.jsonl", text: "")
        _ = try directory.file("a.jsonl", text: "")
        _ = try directory.file("notes.md", text: "")
        #expect(try LabelledDataset.files(in: directory.url).map(\.lastPathComponent) == ["a.jsonl", "b.jsonl"])
    }
}
