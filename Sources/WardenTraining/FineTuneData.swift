import Foundation
import WardenCore
import WardenEval
import WardenModel
import WardenTensor
import WardenTokenizer

/// Turns labelled items into tokenized fine-tuning examples, for both recipes.
public enum FineTuneData {
    /// Standard recipe: the first window the classifier would score (normalised text, context and pair rules of
    /// ``ModelInputBuilder``), multi-label targets and the mixture's loss weight.
    public static func example(_ item: LabelledExample, inputs: ModelInputBuilder, targets: TargetBuilder, mixture: DataMixture) -> FineTuneExample {
        let window = inputs.windows(for: item.classificationInput)[0]
        return FineTuneExample(
            encoding: window, target: targets.target(for: item),
            weight: Float(mixture.weight(of: item, unsafe: targets.isUnsafe(item))))
    }

    /// Reference recipe (train_reference.py): `[CLS] prompt [SEP] (response [SEP])` truncated longest-first to
    /// `maxLength`, no normalisation, the raw `unsafe` flag as the only label, weight 1, batches bucketed by
    /// characters of prompt + response.
    public static func referenceExample(_ item: LabelledExample, tokenizer: any Tokenizer, maxLength: Int) -> FineTuneExample {
        let encoding = tokenizer.encode(item.prompt, pair: item.response, maxLength: maxLength)
        return FineTuneExample(
            encoding: encoding, target: TrainingTarget(values: [item.unsafe ? 1 : 0], mask: [1]), weight: 1,
            sortKey: item.prompt.unicodeScalars.count + (item.response?.unicodeScalars.count ?? 0))
    }

    /// The item with its prompt and response obfuscated by one random transform at a random rate (20–60%).
    public static func obfuscated(_ item: LabelledExample, random: inout SplitMix64) -> LabelledExample {
        let transform = Obfuscator.Transform.allCases[random.index(below: Obfuscator.Transform.allCases.count)]
        let rate = 0.2 + 0.4 * Double(random.nextUniform())
        var obfuscator = Obfuscator(seed: random.next())
        var result = item
        result.prompt = obfuscator.obfuscate(item.prompt, with: transform, rate: rate)
        result.response = item.response.map { obfuscator.obfuscate($0, with: transform, rate: rate) }
        return result
    }

    /// At most `maximum` items: a deterministic subset by id hash (each source keeps about its share), order kept.
    public static func subset(_ items: [LabelledExample], maximum: Int?, salt: String = "warden-finetune-subset-v1") -> [LabelledExample] {
        guard let maximum, items.count > maximum else { return items }
        let ranked = items.indices.sorted { DataSplit.fnv1a("\(salt):\(items[$0].id)") < DataSplit.fnv1a("\(salt):\(items[$1].id)") }
        let keep = Set(ranked.prefix(maximum))
        return items.indices.filter(keep.contains).map { items[$0] }
    }

    /// Per-feature mean and scale of the base encoder's pooled features over (up to `limit` of) `examples`,
    /// for a fresh head's standardisation.
    public static func standardization(
        encoder: Encoder, examples: [FineTuneExample], layers: [Int], workers: Int, limit: Int = 2048
    ) throws -> ([Float], [Float]) {
        let sample = Array(examples.prefix(limit))
        var features = Matrix(rows: sample.count, columns: encoder.configuration.hiddenSize * layers.count)
        var start = 0
        while start < sample.count {
            let end = min(start + 64, sample.count)
            var batch = PackedBatch()
            for example in sample[start..<end] { batch.append(tokenIDs: example.ids, tokenTypeIDs: example.typeIDs) }
            let output = try encoder.encode(batch, options: EncoderOptions(workers: workers, includeHiddenStates: true))
            let pooled = Pooling.layerMeans(output, layers: layers, layerCount: encoder.configuration.layerCount, batch: batch)
            features.withMutableView { out in pooled.withView { out.rows(start..<end).copy(from: $0) } }
            start = end
        }
        return HeadTrainer.standardization(of: features)
    }

    /// Average precision of `unsafe` (label 0) for raw logits, or nil when one class is missing.
    public static func unsafeAUPRC(logits: Matrix, examples: [FineTuneExample]) -> Double? {
        let sample = try? BinarySample(scores: (0..<logits.rows).map { PlattCalibration.identity.probability(Double(logits[$0, 0])) },
                                       truths: examples.map { $0.target.values[0] > 0.5 })
        return sample?.averagePrecision
    }
}
