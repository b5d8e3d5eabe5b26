import WardenCore

extension EvaluationReport {
    /// Measures `scores` against the labels of `examples`.
    ///
    /// Truth per label:
    /// - `unsafe`: the example's `unsafe` field; every example counts.
    /// - a category label: positive when the example carries one of the codes mapped onto the
    ///   label; negative when it is safe (and, with ``CategoryNegatives/safeAndOtherCategories``,
    ///   when it is unsafe with categories none of which map onto the label). Everything else is
    ///   excluded, in particular unsafe items without categories, whose category is unknown.
    ///
    /// - Parameters:
    ///   - examples: the labelled items.
    ///   - scores: the classifier's scores, one per example, in the same order.
    ///   - thresholds: operating threshold per model label (`unsafe` and every mapped label).
    ///   - categoryMapping: dataset code → model label; unmapped codes are ignored.
    ///   - options: bootstrap, FPR target, bins, benign sources.
    ///   - metadata: free-form context recorded in the report.
    /// - Throws: ``EvaluationError`` when scores or thresholds do not fit the examples.
    public init(
        examples: [LabelledExample],
        scores: [LabelScores],
        thresholds: [String: Double],
        categoryMapping: CategoryMapping,
        options: EvaluationOptions = EvaluationOptions(),
        metadata: [String: String] = [:]
    ) throws(EvaluationError) {
        guard examples.count == scores.count else {
            throw .scoreCountMismatch(examples: examples.count, scores: scores.count)
        }
        let scorer = LabelScorer(examples: examples, scores: scores, thresholds: thresholds, options: options)
        let unsafeLabel = LabelScores.unsafeLabel
        var labels = [try scorer.report(label: unsafeLabel, codes: [], truth: { $0.unsafe })]
        for label in categoryMapping.labels where label != unsafeLabel {
            let codes = Set(categoryMapping.codes(for: label))
            labels.append(
                try scorer.report(label: label, codes: codes.sorted()) { example in
                    Self.categoryTruth(
                        of: example, codes: codes, mapping: categoryMapping, negatives: options.categoryNegatives)
                })
        }
        self.init(
            metadata: metadata, exampleCount: examples.count, options: options,
            categoryMapping: categoryMapping.modelLabels, labels: labels,
            sources: try scorer.sourceReports(), realisticBenign: try scorer.benignReport())
    }

    /// The truth of a category label for one example, or nil when it is unknown.
    static func categoryTruth(
        of example: LabelledExample, codes: Set<String>, mapping: CategoryMapping, negatives: CategoryNegatives
    ) -> Bool? {
        if example.categories.contains(where: codes.contains) { return true }
        if !example.unsafe { return false }
        switch negatives {
        case .safeItems:
            return nil
        case .safeAndOtherCategories:
            // Only a completely categorised item is known not to be in this category.
            guard example.categoriesPartial != true else { return nil }
            let mapped = example.categories.contains { mapping.label(for: $0) != nil }
            return mapped ? false : nil
        }
    }
}

/// Collects per-label samples and turns them into report sections.
struct LabelScorer {
    let examples: [LabelledExample]
    let scores: [LabelScores]
    let thresholds: [String: Double]
    let options: EvaluationOptions

    func threshold(_ label: String) throws(EvaluationError) -> Double {
        guard let threshold = thresholds[label] else { throw .missingThreshold(label: label) }
        return threshold
    }

    /// The sample of `label` over the examples whose truth is known and pass `include`.
    func sample(
        label: String, include: (Int) -> Bool = { _ in true }, truth: (LabelledExample) -> Bool?
    ) throws(EvaluationError) -> (sample: BinarySample, excluded: Int) {
        var values: [Double] = []
        var truths: [Bool] = []
        var excluded = 0
        for index in examples.indices where include(index) {
            let example = examples[index]
            guard let known = truth(example) else {
                excluded += 1
                continue
            }
            guard let score = scores[index][label] else {
                throw .missingScore(label: label, exampleID: example.id)
            }
            guard (0...1).contains(score) else {
                throw .invalidScore(label: label, exampleID: example.id, value: score)
            }
            values.append(score)
            truths.append(known)
        }
        do {
            return (try BinarySample(scores: values, truths: truths), excluded)
        } catch {
            // Unreachable: lengths match and every score was checked above.
            throw .invalidScore(label: label, exampleID: "?", value: .nan)
        }
    }

    func report(label: String, codes: [String], truth: (LabelledExample) -> Bool?) throws(EvaluationError)
        -> LabelReport
    {
        let threshold = try threshold(label)
        let (sample, excluded) = try sample(label: label, truth: truth)
        let target = options.falsePositiveRateTarget
        let intervals = Bootstrap.intervals(count: 6, on: sample, options: options.bootstrap) { resample in
            let summary = resample.summary(threshold: threshold, falsePositiveRateTarget: target)
            return [summary.averagePrecision, summary.f1, summary.falsePositiveRate, summary.recallAtFalsePositiveRate,
                    summary.recall, summary.precision]
        }
        let counts = sample.confusion(at: threshold)
        let recallAtTarget = sample.recall(atFalsePositiveRate: target).flatMap { point in
            point.counts.recall.map { recall in
                RecallAtFalsePositiveRate(
                    target: target, threshold: point.threshold,
                    recall: Estimate(value: recall, interval: intervals[3]),
                    falsePositiveRate: point.counts.falsePositiveRate ?? 0)
            }
        }
        return LabelReport(
            label: label, codes: codes, count: sample.count, positives: sample.positives,
            negatives: sample.negatives, excluded: excluded, threshold: threshold, counts: counts,
            precision: counts.precision, precisionInterval: counts.precision == nil ? nil : intervals[5],
            recall: counts.recall, recallInterval: counts.recall == nil ? nil : intervals[4],
            f1: counts.f1.map { Estimate(value: $0, interval: intervals[1]) },
            falsePositiveRate: counts.falsePositiveRate.map { Estimate(value: $0, interval: intervals[2]) },
            averagePrecision: sample.averagePrecision.map { Estimate(value: $0, interval: intervals[0]) },
            rocAUC: sample.rocAUC,
            expectedCalibrationError: sample.expectedCalibrationError(bins: options.calibrationBins),
            brierScore: sample.brierScore, bestF1: sample.bestF1, recallAtFalsePositiveRate: recallAtTarget,
            precisionRecallCurve: Self.thin(sample.precisionRecallCurve, to: options.curvePointLimit),
            reliability: sample.reliabilityBins(count: options.calibrationBins))
    }

    func sourceReports() throws(EvaluationError) -> [SourceReport] {
        try groupReports { $0.source }
    }

    /// The `unsafe` label per value of `key` (items without a value are left out), sorted by value.
    func groupReports(by key: (LabelledExample) -> String?) throws(EvaluationError) -> [SourceReport] {
        let label = LabelScores.unsafeLabel
        let threshold = try threshold(label)
        var reports: [SourceReport] = []
        let keys = examples.map(key)
        for source in Set(keys.compactMap { $0 }).sorted() {
            let (sample, _) = try sample(label: label, include: { keys[$0] == source }, truth: { $0.unsafe })
            let counts = sample.confusion(at: threshold)
            reports.append(
                SourceReport(
                    source: source, count: sample.count, positives: sample.positives, recall: counts.recall,
                    falsePositiveRate: counts.falsePositiveRate,
                    // With positives only, AP is trivially 1 and says nothing about the source.
                    averagePrecision: sample.negatives > 0 ? sample.averagePrecision : nil,
                    rocAUC: sample.rocAUC))
        }
        return reports
    }

    func benignReport() throws(EvaluationError) -> BenignReport {
        let label = LabelScores.unsafeLabel
        let threshold = try threshold(label)
        let wanted = Set(options.realisticBenignSources)
        let (sample, _) = try sample(
            label: label, include: { !examples[$0].unsafe && wanted.contains(examples[$0].source) },
            truth: { $0.unsafe })
        let found = Set(examples.filter { !$0.unsafe && wanted.contains($0.source) }.map(\.source))
        let counts = sample.confusion(at: threshold)
        let interval = Bootstrap.interval(
            of: { $0.confusion(at: threshold).falsePositiveRate }, on: sample, options: options.bootstrap)
        return BenignReport(
            sources: options.realisticBenignSources, sourcesFound: found.sorted(), count: sample.count,
            falsePositives: counts.falsePositives,
            falsePositiveRate: counts.falsePositiveRate.map { Estimate(value: $0, interval: interval) })
    }

    /// At most `limit` points for plotting the step outline whose area is AP: only points where
    /// recall rises matter to that outline, and of those the last one in each of `limit` equal
    /// recall buckets is kept. (Thinning by index instead drew long false plateaus where many
    /// negatives sit between two positives.)
    static func thin(_ points: [PrecisionRecallPoint], to limit: Int) -> [PrecisionRecallPoint] {
        guard limit >= 1, points.count > limit else { return points }
        var kept: [(bucket: Int, point: PrecisionRecallPoint)] = []
        var previousRecall = 0.0
        for point in points where point.recall > previousRecall {
            previousRecall = point.recall
            let bucket = min(Int(point.recall * Double(limit)), limit - 1)
            if kept.last?.bucket == bucket { kept.removeLast() }
            kept.append((bucket, point))
        }
        return kept.map(\.point)
    }
}
