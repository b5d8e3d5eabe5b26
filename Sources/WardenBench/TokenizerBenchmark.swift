import Foundation
import WardenTokenizer

/// Tokenizer throughput, one call per text (as a request makes it), single-threaded.
public enum TokenizerBenchmark {
    public struct Measurement: Sendable {
        /// Wall time of one pass over the texts: the median pass and the best one.
        public var medianSeconds: Double
        public var bestSeconds: Double
        /// Tokens in one pass, special tokens included.
        public var tokens: Int
    }

    /// The median and best wall time of one pass over `texts`, after one warm-up pass. On a shared machine the
    /// median is what a request sees; the best pass is closer to the code's own cost.
    public static func measure(
        _ texts: [String], tokenizer: some Tokenizer, normalizer: TextNormalizer?, passes: Int
    ) -> Measurement {
        let clock = ContinuousClock()
        var tokens = 0
        var times: [Double] = []
        for pass in 0...max(1, passes) {
            var count = 0
            let elapsed = clock.measure {
                for text in texts { count += tokenizer.encode(normalizer?.normalize(text) ?? text).count }
            }
            tokens = count
            if pass > 0 { times.append(elapsed.seconds) }
        }
        let sorted = times.sorted()
        return Measurement(medianSeconds: sorted[sorted.count / 2], bestSeconds: sorted[0], tokens: tokens)
    }

    /// Texts from a JSONL file: one JSON string per line, or objects with `prompt` (and optional `response`).
    public static func loadCorpus(_ url: URL) throws -> [String] {
        let data = try Data(contentsOf: url)
        var texts: [String] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            let value = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
            if let text = value as? String {
                texts.append(text)
            } else if let object = value as? [String: Any], let prompt = object["prompt"] as? String {
                texts.append(prompt)
                if let response = object["response"] as? String { texts.append(response) }
            } else {
                throw BenchError.badCorpus("\(url.path) line \(index + 1): expected a JSON string or an object with \"prompt\".")
            }
        }
        guard !texts.isEmpty else { throw BenchError.badCorpus("\(url.path) has no texts.") }
        return texts
    }

    /// Writes `texts` one JSON string per line, so a reference tokenizer can be timed on the same texts.
    public static func writeCorpus(_ texts: [String], to url: URL) throws {
        var output = Data()
        for text in texts {
            output.append(try JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed]))
            output.append(UInt8(ascii: "\n"))
        }
        try output.write(to: url)
    }
}

/// What a benchmark cannot run with, said so the user can fix it.
public enum BenchError: Error, LocalizedError, Equatable {
    case badCorpus(String)

    public var errorDescription: String? {
        switch self {
        case .badCorpus(let message): message
        }
    }
}
