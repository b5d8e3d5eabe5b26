import WardenCore

/// A category a policy defines by examples, scored by ``CustomCategoryScorer`` without retraining.
public struct CustomCategory: Sendable, Hashable, Identifiable {
    /// snake_case ID, distinct from the taxonomy's IDs.
    public var id: String
    public var description: String
    /// Texts that belong to the category (at least two: calibration leaves one out).
    public var examples: [String]
    /// Nearby texts that do not belong (at least two).
    public var counterExamples: [String]
    /// Calibrated probability at which the category fires (`>=`).
    public var threshold: Double
    public var decision: Decision
    /// Directions the category is checked in (both unless the file says otherwise).
    public var directions: Set<Direction>

    public init(
        id: String, description: String, examples: [String], counterExamples: [String],
        threshold: Double = 0.5, decision: Decision = .block, directions: Set<Direction> = [.input, .output]
    ) {
        self.id = id
        self.description = description
        self.examples = examples
        self.counterExamples = counterExamples
        self.threshold = threshold
        self.decision = decision
        self.directions = directions
    }

    /// The label under which its scores travel in ``LabelScores`` and appear in verdicts.
    public var label: String { Self.labelPrefix + id }

    /// The hazard ID used for its violations (same as ``label``).
    public var hazardID: HazardID { HazardID(label) }

    public static let labelPrefix = "custom:"
}
