import ArgumentParser
import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenPolicy
import WardenTaxonomy

/// Model, taxonomy and policy flags shared by the commands that score text.
struct ClassifierOptions: ParsableArguments {
    @Option(help: "Model bundle folder (default: $WARDEN_MODEL or Models/warden-minilm-lora).") var model: String?
    @Option(help: "Taxonomy file (default: $WARDEN_TAXONOMY or Taxonomy/mlcommons-v1.yaml).") var taxonomy: String?
    @Option(help: "Forward-pass worker threads.") var workers = 2

    func loadClassifier() throws -> EncoderClassifier {
        try EncoderClassifier.load(bundle: Locations.model(model), workers: workers)
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
        warden check --jsonl prompts.jsonl > verdicts.jsonl   # ../shared/data schema or {"prompt": ...}; - reads stdin
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case llamaGuard = "llama-guard", json }

    @Argument(help: "The user prompt to check.") var text: String?
    @Option(help: "An assistant response to check in the context of the prompt (direction output).") var response: String?
    @Option(help: "A conversation JSON file: {\"messages\": [{\"role\", \"content\"}]}.") var conversation: String?
    @Option(help: "A JSONL file of items to check, or - for stdin; prints one JSON verdict per line.") var jsonl: String?
    @Option(help: "input or output (default: the side of the last turn).") var direction: Direction?
    @Option(help: "Policy id in the policies folder.") var policy = "default"
    @Option(help: "Policies folder (default: $WARDEN_POLICIES or Policies).") var policies: String?
    @Option(help: "Output format for a single check.") var format: Format = .llamaGuard
    @Option(help: "Items per forward pass for --jsonl.") var batch = 32
    @OptionGroup var classifier: ClassifierOptions

    func validate() throws {
        let sources = [text != nil, conversation != nil, jsonl != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("Give exactly one of: a text argument, --conversation FILE, --jsonl FILE.") }
        if response != nil && text == nil { throw ValidationError("--response needs the prompt as the text argument.") }
    }

    func run() async throws {
        let taxonomy = try classifier.loadTaxonomy()
        let policyURL = Locations.policies(policies).appendingPathComponent("\(policy).yaml")
        let model = try classifier.loadClassifier()
        let engine = PolicyEngine(
            policy: try PolicyLoader.load(from: policyURL, taxonomy: taxonomy), taxonomy: taxonomy, modelThresholds: model.operatingThresholds)
        if let jsonl {
            try await checkStream(jsonl, model: model, engine: engine)
            return
        }
        let conversation = try self.loadConversation()
        let input = ClassificationInput(conversation: conversation, direction: direction ?? conversation.defaultDirection)
        let (verdict, scores) = try await Self.judge([input], model: model, engine: engine)[0]
        switch format {
        case .llamaGuard: print(verdict.llamaGuardText)
        case .json: print(try Self.json(VerdictOutput(id: nil, verdict: verdict, labelScores: scores)))
        }
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

    private func checkStream(_ path: String, model: EncoderClassifier, engine: PolicyEngine) async throws {
        let url = path == "-" ? URL(fileURLWithPath: "/dev/stdin") : URL(fileURLWithPath: path)
        let total = path == "-" ? 0 : (try? LabelledDataset.load(url).count) ?? 0
        var bar = ProgressBar(total: total, label: "checked")
        var pending: [LabelledExample] = []
        var done = 0
        func flush() async throws {
            let inputs = pending.map { ClassificationInput(conversation: $0.conversation, direction: direction ?? $0.direction) }
            for (example, (verdict, scores)) in zip(pending, try await Self.judge(inputs, model: model, engine: engine)) {
                print(try Self.json(VerdictOutput(id: example.id, verdict: verdict, labelScores: scores)))
            }
            done += pending.count
            pending.removeAll()
            if total > 0 { bar.update(done) }
        }
        for try await example in LabelledDataset.lines(of: url) {
            pending.append(example)
            if pending.count >= batch { try await flush() }
        }
        if !pending.isEmpty { try await flush() }
    }

    /// Screen, score and decide, as the service does (without auditing).
    static func judge(_ inputs: [ClassificationInput], model: EncoderClassifier, engine: PolicyEngine) async throws -> [(Verdict, LabelScores)] {
        var results = [(Verdict, LabelScores)?](repeating: nil, count: inputs.count)
        var toScore: [Int] = []
        for (i, input) in inputs.enumerated() {
            if let screened = engine.screen(input) { results[i] = (screened, LabelScores()) } else { toScore.append(i) }
        }
        let scores = try await model.classify(toScore.map { inputs[$0] })
        for (i, score) in zip(toScore, scores) { results[i] = (engine.decide(score, for: inputs[i]), score) }
        return results.map { $0! }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// One verdict as `warden check` prints it.
struct VerdictOutput: Encodable {
    var id: String?
    var decision: Decision
    var safe: Bool
    var llamaGuard: String
    var categories: [String]
    var codes: [String]
    var reason: String
    var policy: String
    var scores: [String: Double]
    var labelScores: [String: Double]

    init(id: String?, verdict: Verdict, labelScores: LabelScores) {
        self.id = id
        decision = verdict.decision
        safe = verdict.isSafe
        llamaGuard = verdict.llamaGuardText
        categories = Array(Set(verdict.violations.map(\.category.rawValue))).sorted()
        codes = verdict.llamaGuardCodes
        reason = verdict.reason
        policy = verdict.policyID
        scores = verdict.scores.mapValues { ($0 * 10000).rounded() / 10000 }
        self.labelScores = labelScores.values.mapValues { ($0 * 10000).rounded() / 10000 }
    }

    enum CodingKeys: String, CodingKey {
        case id, decision, safe, llamaGuard = "llama_guard", categories, codes, reason, policy, scores, labelScores = "label_scores"
    }
}

extension Direction: ExpressibleByArgument {}
