import Synchronization
import WardenCore

/// Scores texts against a policy's custom categories by embedding similarity to their examples.
///
/// Method, per category:
/// 1. Embed the examples and counter-examples (unit vectors, so a dot product is the cosine).
/// 2. The *margin* of a text is its highest cosine to an example minus its highest cosine to a
///    counter-example: positive when it is closer to the category than to its near misses.
/// 3. Calibration: compute each example's and counter-example's margin leaving itself out of its
///    own list (so it is scored like an unseen text), label examples 1 and counter-examples 0, and
///    fit a logistic curve (``LogisticCalibration``, Platt's method) from margin to probability.
/// 4. A text's score is the fitted probability of its margin, reported under `custom:<id>`.
///
/// Example embeddings and the fit are computed once per category and cached.
public final class CustomCategoryScorer: Sendable {
    public let embedder: any TextEmbedder
    private let cache = Mutex<[CustomCategory: PreparedCustomCategory]>([:])

    public init(embedder: any TextEmbedder) {
        self.embedder = embedder
    }

    /// One dictionary per text, mapping each category's ``CustomCategory/label`` (`custom:<id>`) to a
    /// calibrated probability in [0, 1]. Merge them into the model's ``LabelScores`` before
    /// ``PolicyEngine/decide(_:for:)``.
    public func scores(for texts: [String], categories: [CustomCategory]) async throws -> [[String: Double]] {
        guard !texts.isEmpty else { return [] }
        guard !categories.isEmpty else { return texts.map { _ in [:] } }
        var prepared: [PreparedCustomCategory] = []
        for category in categories { prepared.append(try await prepare(category)) }
        let vectors = try await embedder.embed(texts)
        guard vectors.count == texts.count else { throw CustomCategoryError.embeddingCount(expected: texts.count, actual: vectors.count) }
        return vectors.map { vector in
            Dictionary(uniqueKeysWithValues: prepared.map { ($0.category.label, $0.probability(for: vector)) })
        }
    }

    /// Embeds a category's examples and fits its calibration (cached by the category's content).
    public func prepare(_ category: CustomCategory) async throws -> PreparedCustomCategory {
        if let cached = cache.withLock({ $0[category] }) { return cached }
        let vectors = try await embedder.embed(category.examples + category.counterExamples)
        let expected = category.examples.count + category.counterExamples.count
        guard vectors.count == expected else { throw CustomCategoryError.embeddingCount(expected: expected, actual: vectors.count) }
        let prepared = PreparedCustomCategory(
            category: category,
            examples: Array(vectors.prefix(category.examples.count)),
            counterExamples: Array(vectors.dropFirst(category.examples.count))
        )
        cache.withLock { $0[category] = prepared }
        return prepared
    }
}

/// A custom category with its example embeddings and fitted calibration.
public struct PreparedCustomCategory: Sendable {
    public let category: CustomCategory
    public let examples: [[Float]]
    public let counterExamples: [[Float]]
    public let calibration: LogisticCalibration

    public init(category: CustomCategory, examples: [[Float]], counterExamples: [[Float]]) {
        self.category = category
        self.examples = examples
        self.counterExamples = counterExamples
        var margins: [Double] = []
        var labels: [Bool] = []
        for index in examples.indices {
            margins.append(Self.margin(examples[index], examples, counterExamples, skippingExample: index))
            labels.append(true)
        }
        for index in counterExamples.indices {
            margins.append(Self.margin(counterExamples[index], examples, counterExamples, skippingCounter: index))
            labels.append(false)
        }
        calibration = LogisticCalibration.fit(margins: margins, labels: labels)
    }

    /// Highest cosine to an example minus highest cosine to a counter-example.
    public func margin(for vector: [Float]) -> Double {
        Self.margin(vector, examples, counterExamples)
    }

    public func probability(for vector: [Float]) -> Double {
        calibration.probability(margin(for: vector))
    }

    static func margin(
        _ vector: [Float], _ examples: [[Float]], _ counters: [[Float]],
        skippingExample: Int? = nil, skippingCounter: Int? = nil
    ) -> Double {
        func best(_ set: [[Float]], skipping: Int?) -> Double {
            var result = -1.0
            for (index, other) in set.enumerated() where index != skipping {
                result = max(result, cosine(vector, other))
            }
            return result
        }
        return best(examples, skipping: skippingExample) - best(counters, skipping: skippingCounter)
    }

    /// Dot product; the embedder returns unit vectors, so this is the cosine similarity.
    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var sum: Float = 0
        for index in 0..<min(a.count, b.count) { sum += a[index] * b[index] }
        return Double(sum)
    }
}

public enum CustomCategoryError: Error, Sendable, Equatable, CustomStringConvertible {
    case embeddingCount(expected: Int, actual: Int)
    case unreadableExamples(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .embeddingCount(let expected, let actual):
            "the embedder returned \(actual) vectors for \(expected) texts"
        case .unreadableExamples(let file, let line, let reason):
            "\(file):\(line): \(reason); expected {\"text\": \"...\", \"positive\": true|false}"
        }
    }
}
