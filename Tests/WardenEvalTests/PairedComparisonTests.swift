import Testing
import WardenCore

@testable import WardenEval

@Suite("Paired comparison of two models")
struct PairedComparisonTests {
    /// 200 items, every 4th unsafe (and violent_crimes); the candidate ranks them better than the baseline.
    static let examples: [LabelledExample] = (0..<200).map { i in
        LabelledExample(id: "x\(i)", source: i % 2 == 0 ? "toxicchat_train" : "alpaca_harmless", prompt: "p",
                        unsafe: i % 4 == 0, categories: i % 4 == 0 ? ["S1"] : [])
    }
    static let mapping = CategoryMapping(["S1": "violent_crimes"])
    static let thresholds = ["unsafe": 0.5, "violent_crimes": 0.5]
    static let options = EvaluationOptions(bootstrap: BootstrapOptions(resamples: 300, seed: 3))

    /// A deterministic score in [0, 1]: `signal` pulls positives up; the rest is per-item noise.
    static func scores(signal: Double, noiseSeed: UInt64) -> [LabelScores] {
        var random = SplitMix64(seed: noiseSeed)
        return examples.map { example in
            let noise = random.nextUniform()
            let value = min(max((example.unsafe ? signal : 0) + (1 - signal) * Double(noise), 0), 1)
            return LabelScores(["unsafe": value, "violent_crimes": value])
        }
    }

    @Test("a model compared with itself differs by exactly zero")
    func identical() throws {
        let scores = Self.scores(signal: 0.3, noiseSeed: 1)
        let comparison = try PairedComparison(
            examples: Self.examples, baseline: ("a", scores, Self.thresholds), candidate: ("a", scores, Self.thresholds),
            categoryMapping: Self.mapping, options: Self.options)
        // unsafe: AUPRC, recall at FPR, recall at threshold, benign FPR; violent_crimes: AUPRC, recall at FPR
        #expect(comparison.rows.count == 6)
        for row in comparison.rows {
            #expect(row.difference?.value == 0)
            #expect(row.difference?.interval?.lower == 0 && row.difference?.interval?.upper == 0)
            #expect(row.verdict == "no detectable difference")
        }
    }

    @Test("a clearly better candidate gets an interval above zero; swapping the roles flips the sign")
    func better() throws {
        let weak = Self.scores(signal: 0.1, noiseSeed: 1), strong = Self.scores(signal: 0.6, noiseSeed: 1)
        let forward = try PairedComparison(
            examples: Self.examples, baseline: ("weak", weak, Self.thresholds), candidate: ("strong", strong, Self.thresholds),
            categoryMapping: Self.mapping, options: Self.options)
        let auprc = try #require(forward.rows.first { $0.label == "unsafe" && $0.metric == "AUPRC" })
        #expect(auprc.positives == 50 && auprc.negatives == 150)
        #expect(try #require(auprc.difference?.interval).lower > 0)
        #expect(auprc.verdict == "candidate")
        let backward = try PairedComparison(
            examples: Self.examples, baseline: ("strong", strong, Self.thresholds), candidate: ("weak", weak, Self.thresholds),
            categoryMapping: Self.mapping, options: Self.options)
        let reversed = try #require(backward.rows.first { $0.label == "unsafe" && $0.metric == "AUPRC" })
        #expect(abs((reversed.difference?.value ?? 0) + (auprc.difference?.value ?? 0)) < 1e-12)
        #expect(reversed.verdict == "baseline")
        #expect(forward.markdown.contains("| unsafe | AUPRC | 50 |"))
    }

    @Test("pairing removes the item variation both models share")
    func pairedIsNarrower() throws {
        let a = Self.scores(signal: 0.3, noiseSeed: 7)
        // b: the same ranking with a small per-item nudge, so the two models are highly correlated.
        var nudge = SplitMix64(seed: 99)
        let b = a.map { s -> LabelScores in
            let value = min(max((s["unsafe"] ?? 0) + 0.02 * (Double(nudge.nextUniform()) - 0.5), 0), 1)
            return LabelScores(["unsafe": value, "violent_crimes": value])
        }
        let comparison = try PairedComparison(
            examples: Self.examples, baseline: ("a", a, Self.thresholds), candidate: ("b", b, Self.thresholds),
            categoryMapping: Self.mapping, options: Self.options)
        let paired = try #require(comparison.rows.first { $0.label == "unsafe" && $0.metric == "AUPRC" }?.difference?.interval)
        let single = try #require(try EvaluationReport(
            examples: Self.examples, scores: a, thresholds: Self.thresholds, categoryMapping: Self.mapping, options: Self.options
        ).labels.first { $0.label == "unsafe" }?.averagePrecision?.interval)
        #expect(paired.upper - paired.lower < (single.upper - single.lower) / 3)
    }

    @Test("the realistic-benign FPR uses each model's own threshold; lower is better")
    func benignThresholds() throws {
        let scores = Self.scores(signal: 0.3, noiseSeed: 1)
        let strict = ["unsafe": 0.99, "violent_crimes": 0.5]
        let comparison = try PairedComparison(
            examples: Self.examples, baseline: ("loose", scores, Self.thresholds), candidate: ("strict", scores, strict),
            categoryMapping: Self.mapping, options: Self.options)
        let row = try #require(comparison.rows.first { $0.metric == "realistic benign FPR" })
        #expect(row.candidate == 0)
        #expect(try #require(row.baseline) > 0.2)
        #expect(row.negatives == 50)  // the safe toxicchat_train items (i = 2 mod 4); Alpaca is not realistic benign
        #expect(row.verdict == "candidate")
        // The same thresholds decide recall: the strict candidate flags fewer unsafe items, and that is worse.
        let recall = try #require(comparison.rows.first { $0.metric == "recall at threshold" })
        #expect(recall.label == "unsafe" && recall.positives == 50 && recall.negatives == 150)
        #expect(try #require(recall.candidate) < #require(recall.baseline))
        #expect(recall.verdict == "baseline")
    }

    @Test("score lists that do not fit the examples are an error")
    func mismatch() {
        let scores = Self.scores(signal: 0.3, noiseSeed: 1)
        #expect(throws: EvaluationError.scoreCountMismatch(examples: 200, scores: 199)) {
            try PairedComparison(
                examples: Self.examples, baseline: ("a", scores, Self.thresholds),
                candidate: ("b", Array(scores.dropLast()), Self.thresholds), categoryMapping: Self.mapping)
        }
    }
}
