/// A stable hazard category identifier, such as `violent_crimes`.
///
/// IDs never depend on the position of a category in a file; Llama Guard codes (`S1`) and OpenAI
/// moderation names are aliases resolved by the taxonomy.
public struct HazardID: RawRepresentable, Hashable, Comparable, Codable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
    public static func < (lhs: HazardID, rhs: HazardID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Probabilities in [0, 1] per model label, as the classifier produced them.
///
/// The label `unsafe` is the overall judgement; the others are the model's category labels
/// (the taxonomy maps them onto hazards).
public struct LabelScores: Codable, Sendable, Hashable {
    /// The name of the overall label every Warden model carries.
    public static let unsafeLabel = "unsafe"

    public var values: [String: Double]
    /// The model that produced these scores (`id@version`), when a classifier that routes between models says so;
    /// not part of the encoded form.
    public var model: String?

    public init(_ values: [String: Double] = [:]) {
        self.values = values
    }

    public init(_ values: [String: Double], model: String?) {
        self.values = values
        self.model = model
    }

    public subscript(label: String) -> Double? {
        get { values[label] }
        set { values[label] = newValue }
    }

    /// The overall probability that the judged turn is unsafe.
    public var unsafe: Double { values[Self.unsafeLabel] ?? 0 }

    /// Element-wise maximum, used to pool the scores of overlapping windows of one long input.
    public func merged(withMaximumOf other: LabelScores) -> LabelScores {
        LabelScores(values.merging(other.values) { Swift.max($0, $1) }, model: model ?? other.model)
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: Double].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
