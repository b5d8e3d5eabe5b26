import ArgumentParser
import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenPipeline
import WardenPolicy
import WardenServer
import WardenTaxonomy

/// Model, taxonomy and policy flags shared by the commands that score text.
struct ClassifierOptions: ParsableArguments {
    @Option(help: "Model bundle folder (default: $WARDEN_MODEL or Models/warden-minilm-lora).") var model: String?
    @Option(help: "Taxonomy file (default: $WARDEN_TAXONOMY or Taxonomy/mlcommons-v1.yaml).") var taxonomy: String?
    @Option(help: "Forward-pass worker threads.") var workers = 2
    @Option(help: "Judge some languages with another bundle: LANGUAGES=DIR (repeatable; '' for none). `warden check` without --model or --route uses the route `warden serve` uses by default.")
    var route: [String] = []

    /// The model as `warden serve` would judge with the same bundle and routes. With `servedDefault`, naming neither a
    /// bundle nor routes gives the shipped deployment's route, as `warden serve` does.
    func loadJudge(servedDefault: Bool = false) throws -> JudgeModel {
        var routes = try route.filter { !$0.isEmpty }.map { try LanguageRoute(parsing: $0) }
        let modelNamed = model != nil || !(ProcessInfo.processInfo.environment["WARDEN_MODEL"] ?? "").isEmpty
        if servedDefault && !modelNamed && route.isEmpty, let shipped = Locations.defaultRoute() { routes = [shipped] }
        return try JudgeModel.load(bundle: Locations.model(model), routes: routes, workers: workers)
    }

    func loadTaxonomy() throws -> HazardTaxonomy {
        try TaxonomyLoader.load(from: Locations.taxonomy(taxonomy))
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a text, a conversation file or a JSONL stream; print Llama Guard-style output or JSON.",
        discussion: """
        warden check "How do I pick a lock?"
        warden check --response "Sure, here is how ..." "How do I pick a lock?"
        warden check --conversation chat.json          # {"messages": [{"role": "user", "content": "..."}]}
        warden check --jsonl prompts.jsonl > verdicts.jsonl   # {"prompt": ..., "response"?: ..., "id"?: ...}; - reads stdin

        Exit status of a single check: 0 allow, 1 block, 2 review, 3 error (a stream exits 0 unless it fails).
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case llamaGuard = "llama-guard", json }

    @Argument(help: "The user prompt to check.") var text: String?
    @Option(help: "An assistant response to check in the context of the prompt (direction output).") var response: String?
    @Option(help: "A conversation JSON file: {\"messages\": [{\"role\", \"content\"}]}.") var conversation: String?
    @Option(help: "A JSONL file of items to check, or - for stdin; prints one JSON verdict per line.") var jsonl: String?
    @Option(help: "input or output (default: the side of the last turn).") var direction: Direction?
    @Option(help: "Policy id (the `id:` inside a file of the policies folder), as the server takes it.") var policy = "default"
    @Option(help: "Policies folder (default: $WARDEN_POLICIES or Policies).") var policies: String?
    @Option(help: "Output format for a single check.") var format: Format = .llamaGuard
    @Option(help: "Items per forward pass for --jsonl.") var batch = 32
    @OptionGroup var classifier: ClassifierOptions

    func validate() throws {
        let sources = [text != nil, conversation != nil, jsonl != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("Give exactly one of: a text argument, --conversation FILE, --jsonl FILE.") }
        if response != nil && text == nil { throw ValidationError("--response needs the prompt as the text argument.") }
    }

    /// Exit statuses of a single check, so a script can branch on the verdict.
    static func exitCode(for decision: Decision) -> ExitCode {
        switch decision {
        case .allow: .success
        case .block: ExitCode(1)
        case .review: ExitCode(2)
        }
    }

    /// An error of a check (after the arguments were accepted) exits 3, apart from the verdicts' 1 and 2.
    static let errorExitCode = ExitCode(3)

    func run() async throws {
        let decision: Decision?
        do {
            decision = try await check()
        } catch {
            FileHandle.standardError.write(Data("Error: \(ExplainedError(of: error))\n".utf8))
            throw Self.errorExitCode
        }
        if let decision, decision != .allow { throw Self.exitCode(for: decision) }
    }

    /// Runs the check; the decision of a single check, nil for a stream.
    private func check() async throws -> Decision? {
        let judge = try await CheckJudge(model: classifier.loadJudge(servedDefault: true), taxonomy: classifier.loadTaxonomy(), policies: Locations.policies(policies), policyID: policy)
        if let jsonl {
            try await checkStream(jsonl, judge: judge)
            return nil
        }
        let conversation = try self.loadConversation()
        let result = try await judge.check(conversation, direction: direction ?? conversation.defaultDirection)
        switch format {
        case .llamaGuard: print(result.verdict.llamaGuardText)
        case .json: print(try Self.json(VerdictRecord(result, includeLabelScores: true)))
        }
        return result.verdict.decision
    }

    private func loadConversation() throws -> Conversation {
        if let text { return Conversation(prompt: text, response: response) }
        let url = URL(fileURLWithPath: conversation ?? "")
        do {
            return try JSONDecoder().decode(Conversation.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw ValidationError("\(url.path): not a conversation (\(error.localizedDescription)); expected {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}")
        }
    }

    private func checkStream(_ path: String, judge: CheckJudge) async throws {
        let url = path == "-" ? URL(fileURLWithPath: "/dev/stdin") : URL(fileURLWithPath: path)
        let total = path == "-" ? 0 : Self.countItems(url)
        var bar = ProgressBar(total: total, label: "checked")
        let reader = try LabelledDatasetReader(url: url)
        var pending: [(id: String, item: CheckItem)] = []
        var done = 0
        func flush() async throws {
            let requests = pending.map { (conversation: $0.item.conversation, direction: direction ?? $0.item.direction) }
            for (entry, result) in zip(pending, await judge.check(requests)) {
                switch result {
                case .success(let checked):
                    print(try Self.json(VerdictRecord(checked, id: entry.id, includeLabelScores: true)))
                case .failure(let error):
                    // One bad line (over the policy's limits, say) must not stop the stream: it gets an error line.
                    print(try Self.json(["id": entry.id, "error": error.description]))
                }
            }
            done += pending.count
            pending.removeAll()
            if total > 0 { bar.update(done) }
        }
        while let item = try reader.next(CheckItem.self) {
            // Without an id, the line number identifies the verdict.
            pending.append((item.id ?? "line-\(reader.lineNumber)", item))
            if pending.count >= batch { try await flush() }
        }
        if !pending.isEmpty { try await flush() }
    }

    /// Non-blank lines of a file, for the progress bar (0 when it cannot be read; the reader reports that).
    private static func countItems(_ url: URL) -> Int {
        guard let data = try? Data(contentsOf: url) else { return 0 }
        return data.split(separator: UInt8(ascii: "\n")).filter { !$0.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 } }.count
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Direction: ExpressibleByArgument {}
