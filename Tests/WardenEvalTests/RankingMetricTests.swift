import Testing
import WardenCore

@testable import WardenEval

@Suite("Ranking metrics against hand-computed values")
struct RankingMetricTests {
    // Six items, three positive:
    //   score  0.9  0.8  0.7  0.6  0.5  0.4
    //   truth   T    F    T    T    F    F
    // Cumulative (TP, FP) at each threshold: (1,0) (1,1) (2,1) (3,1) (3,2) (3,3).
    static let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    static let truths = [true, false, true, true, false, false]

    @Test("average precision: recall steps 1/3 each at precisions 1, 2/3, 3/4")
    func averagePrecision() throws {
        // AP = 1/3·1 + 1/3·2/3 + 1/3·3/4 = 12/36 + 8/36 + 9/36 = 29/36
        let sample = try BinarySample(scores: Self.scores, truths: Self.truths)
        #expect(isClose(sample.averagePrecision, 29.0 / 36.0))
    }

    @Test("ROC-AUC: 7 of 9 positive-negative pairs are ordered correctly")
    func rocAUC() throws {
        // 0.9 beats 0.8, 0.5, 0.4 (3); 0.7 beats 0.5, 0.4 (2); 0.6 beats 0.5, 0.4 (2): 7/9
        let sample = try BinarySample(scores: Self.scores, truths: Self.truths)
        #expect(isClose(sample.rocAUC, 7.0 / 9.0))
    }

    @Test("precision, recall, F1 and FPR at a threshold")
    func confusionAtThreshold() throws {
        // Threshold 0.65 flags 0.9, 0.8, 0.7: TP 2, FP 1, FN 1, TN 2.
        // precision 2/3, recall 2/3, F1 = 4 / (4 + 1 + 1) = 2/3, FPR 1/3
        let counts = try BinarySample(scores: Self.scores, truths: Self.truths).confusion(at: 0.65)
        #expect(counts == ConfusionCounts(truePositives: 2, falsePositives: 1, trueNegatives: 2, falseNegatives: 1))
        #expect(isClose(counts.precision, 2.0 / 3.0))
        #expect(isClose(counts.recall, 2.0 / 3.0))
        #expect(isClose(counts.f1, 2.0 / 3.0))
        #expect(isClose(counts.falsePositiveRate, 1.0 / 3.0))
        // A threshold equal to a score flags that score (>=).
        #expect(try BinarySample(scores: Self.scores, truths: Self.truths).confusion(at: 0.6).truePositives == 3)
    }

    @Test("best F1 is at 0.6")
    func bestF1() throws {
        // F1 = 2TP / (TP + FP + P) with P = 3 at each threshold:
        //   0.9: 2/4  0.8: 2/5  0.7: 4/6  0.6: 6/7  0.5: 6/8  0.4: 6/9  → best 6/7 at 0.6
        let best = try #require(try BinarySample(scores: Self.scores, truths: Self.truths).bestF1)
        #expect(best.threshold == 0.6)
        #expect(isClose(best.counts.f1, 6.0 / 7.0))
    }

    @Test("recall at a false-positive-rate limit")
    func recallAtFPR() throws {
        let sample = try BinarySample(scores: Self.scores, truths: Self.truths)
        // 5% of 3 negatives allows no false positive: only 0.9 qualifies → recall 1/3.
        let strict = try #require(sample.recall(atFalsePositiveRate: 0.05))
        #expect(strict.threshold == 0.9)
        #expect(isClose(strict.counts.recall, 1.0 / 3.0))
        #expect(strict.counts.falsePositives == 0)
        // 1/3 allows one false positive: the lowest such threshold is 0.6 → recall 1.
        let loose = try #require(sample.recall(atFalsePositiveRate: 1.0 / 3.0))
        #expect(loose.threshold == 0.6)
        #expect(loose.counts.recall == 1)
    }

    @Test("when the top score is a negative, recall at 0% FPR flags nothing")
    func recallAtZeroFPRAboveAll() throws {
        let sample = try BinarySample(scores: [0.9, 0.5], truths: [false, true])
        let point = try #require(sample.recall(atFalsePositiveRate: 0))
        #expect(point.threshold > 0.9)
        #expect(point.counts.truePositives == 0 && point.counts.falsePositives == 0)
    }

    @Test("curves: one point per distinct score")
    func curves() throws {
        let sample = try BinarySample(scores: Self.scores, truths: Self.truths)
        let pr = sample.precisionRecallCurve
        #expect(pr.map(\.threshold) == Self.scores)
        let recalls: [Double] = [1.0 / 3, 1.0 / 3, 2.0 / 3, 1, 1, 1]
        let precisions: [Double] = [1, 0.5, 2.0 / 3, 0.75, 0.6, 0.5]
        #expect(pr.map(\.recall) == recalls)
        #expect(pr.map(\.precision) == precisions)
        let roc = sample.rocCurve
        #expect(roc.count == 7)
        #expect(roc.first?.falsePositiveRate == 0 && roc.first?.truePositiveRate == 0)
        let falsePositiveRates: [Double] = [0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 2.0 / 3, 1]
        let truePositiveRates: [Double] = [0, 1.0 / 3, 1.0 / 3, 2.0 / 3, 1, 1, 1]
        #expect(roc.map(\.falsePositiveRate) == falsePositiveRates)
        #expect(roc.map(\.truePositiveRate) == truePositiveRates)
    }

    // MARK: - Ties

    // score 0.8 0.8 0.8 0.3 0.3 / truth T F F T F; P = 2, N = 3.
    // Two steps: 0.8 → (TP 1, FP 2), 0.3 → (TP 2, FP 3).
    static let tiedScores = [0.8, 0.8, 0.8, 0.3, 0.3]
    static let tiedTruths = [true, false, false, true, false]

    @Test("tied scores form one step, whatever their input order")
    func ties() throws {
        // AP = 1/2 · 1/3 + 1/2 · 2/5 = 1/6 + 1/5 = 11/30
        // AUC (Mann-Whitney, ties ½): pos 0.8 vs negs 0.8, 0.8, 0.3 → ½ + ½ + 1 = 2;
        //   pos 0.3 vs negs 0.8, 0.8, 0.3 → 0 + 0 + ½ = ½; (2 + ½) / 6 = 5/12
        // Trapezoid: (0,0)→(2/3,1/2) = 1/6, (2/3,1/2)→(1,1) = 1/3 · 3/4 = 1/4; sum 5/12.
        let orders = [[0, 1, 2, 3, 4], [2, 1, 0, 4, 3], [1, 0, 2, 3, 4]]
        for order in orders {
            let sample = try BinarySample(
                scores: order.map { Self.tiedScores[$0] }, truths: order.map { Self.tiedTruths[$0] })
            #expect(isClose(sample.averagePrecision, 11.0 / 30.0))
            #expect(isClose(sample.rocAUC, 5.0 / 12.0))
            #expect(sample.precisionRecallCurve.count == 2)
        }
    }

    @Test("all scores equal: AP is the prevalence, ROC-AUC is one half")
    func allTied() throws {
        let sample = try BinarySample(scores: [0.5, 0.5, 0.5, 0.5], truths: [true, false, false, false])
        #expect(isClose(sample.averagePrecision, 0.25))
        #expect(isClose(sample.rocAUC, 0.5))
    }

    // MARK: - Cross-checks against brute-force definitions

    @Test("ROC-AUC equals the pairwise Mann-Whitney count on random tied data")
    func aucIsMannWhitney() throws {
        var generator = SplitMix64(seed: 7)
        // Scores on a coarse grid so there are many ties.
        let scores = (0..<300).map { _ in Double(generator.index(below: 11)) / 10 }
        let truths = scores.map { score in generator.index(below: 100) < Int(30 + 50 * score) }
        var wins = 0.0
        var pairs = 0.0
        for (i, positive) in truths.enumerated() where positive {
            for (j, negative) in truths.enumerated() where !negative {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
            }
        }
        let sample = try BinarySample(scores: scores, truths: truths)
        #expect(isClose(sample.rocAUC, wins / pairs, tolerance: 1e-12))
    }

    @Test("AP equals the direct definition summed over distinct thresholds")
    func apMatchesDefinition() throws {
        var generator = SplitMix64(seed: 11)
        let scores = (0..<200).map { _ in Double(generator.index(below: 21)) / 20 }
        let truths = scores.map { score in generator.index(below: 100) < Int(20 + 60 * score) }
        let positives = truths.filter { $0 }.count
        var expected = 0.0
        var previousRecall = 0.0
        for threshold in Set(scores).sorted(by: >) {
            let flagged = scores.indices.filter { scores[$0] >= threshold }
            let truePositives = flagged.filter { truths[$0] }.count
            let recall = Double(truePositives) / Double(positives)
            expected += (recall - previousRecall) * Double(truePositives) / Double(flagged.count)
            previousRecall = recall
        }
        let sample = try BinarySample(scores: scores, truths: truths)
        #expect(isClose(sample.averagePrecision, expected, tolerance: 1e-12))
    }
}
