import Foundation
import Testing
@testable import WardenEval

@Suite("warden check --jsonl input")
struct CheckItemTests {
    func decode(_ line: String) throws(DatasetError) -> CheckItem {
        try LabelledDataset.decode(CheckItem.self, line: Array(line.utf8), file: "in.jsonl", lineNumber: 3)
    }

    @Test("only the prompt is required; ids may be numbers; labelled-data fields are ignored")
    func lenient() throws {
        #expect(try decode(#"{"prompt": "hi"}"#) == CheckItem(prompt: "hi"))
        #expect(try decode(#"{"prompt": "hi", "id": 7}"#).id == "7")
        let labelled = try decode(#"{"id": "a-1", "source": "s", "prompt": "q", "response": "r", "unsafe": true, "categories": ["S1"]}"#)
        #expect(labelled == CheckItem(id: "a-1", prompt: "q", response: "r"))
        #expect(labelled.direction == .output)
    }

    @Test("a line without a prompt names the file, line and field")
    func missingPrompt() {
        #expect(throws: DatasetError.missingField(file: "in.jsonl", line: 3, field: "prompt")) {
            try decode(#"{"text": "hi"}"#)
        }
    }
}
