/// Turns texts into unit-length sentence embeddings (mean-pooled encoder output, L2-normalised).
///
/// Policies use it to score custom categories by similarity to example texts, without retraining.
public protocol TextEmbedder: Sendable {
    /// The embedding width.
    var dimension: Int { get }
    /// One unit-length vector per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}
