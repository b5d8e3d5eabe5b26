import WardenCore
import WardenConfig

/// A set of hazard categories with stable IDs, their aliases, groups and model labels.
///
/// Build one with ``TaxonomyLoader/load(from:)`` or ``init(id:version:groups:categories:)``; both
/// validate, so a `HazardTaxonomy` value is always consistent: unique IDs, unique aliases, known groups.
public struct HazardTaxonomy: Sendable, Hashable {
    public let id: String
    public let version: Int?
    /// Categories in file order (used for display only; nothing depends on the order).
    public let categories: [HazardCategory]
    public let groups: [HazardGroup]

    private let byID: [HazardID: HazardCategory]
    private let byCode: [String: HazardID]
    private let byOpenAIName: [String: HazardID]
    private let byModelLabel: [String: [HazardID]]
    private let membersByGroup: [String: [HazardID]]

    /// The reserved name of the overall "unsafe" judgement; no category, group or label may use it.
    public static let unsafeName = LabelScores.unsafeLabel

    /// Validates and builds a taxonomy.
    /// - Throws: ``TaxonomyError/invalid(_:)`` listing every problem found.
    public init(id: String, version: Int? = nil, groups: [HazardGroup], categories: [HazardCategory]) throws(TaxonomyError) {
        let problems = Self.problems(groups: groups, categories: categories)
        guard problems.isEmpty else {
            throw .invalid(ConfigurationIssues(problems.map {
                ConfigurationIssue(file: "taxonomy \(id)", keyPath: $0.keyPath, message: $0.message)
            }))
        }
        self.init(validatedID: id, version: version, groups: groups, categories: categories)
    }

    /// Builds a taxonomy whose consistency the caller has checked with ``problems(groups:categories:)``.
    init(validatedID id: String, version: Int?, groups: [HazardGroup], categories: [HazardCategory]) {
        self.id = id
        self.version = version
        self.groups = groups
        self.categories = categories
        byID = Dictionary(uniqueKeysWithValues: categories.map { ($0.id, $0) })
        byCode = Dictionary(uniqueKeysWithValues: categories.compactMap { category in
            category.llamaGuardCode.map { ($0.uppercased(), category.id) }
        })
        byOpenAIName = Dictionary(uniqueKeysWithValues: categories.flatMap { category in
            category.openAINames.map { ($0, category.id) }
        })
        var labels: [String: [HazardID]] = [:]
        var members: [String: [HazardID]] = [:]
        for category in categories {
            for label in category.modelLabels { labels[label, default: []].append(category.id) }
            members[category.group, default: []].append(category.id)
        }
        byModelLabel = labels
        membersByGroup = members
    }

    // MARK: - Lookup

    public func category(_ id: HazardID) -> HazardCategory? { byID[id] }

    /// The hazard named by an ID (`violent_crimes`), a Llama Guard code (`S1`, any case) or an
    /// OpenAI moderation name (`violence/graphic`). Group names name several hazards: use
    /// ``resolveAll(_:)`` for them; this returns `nil` for a group.
    public func resolve(_ nameOrAlias: String) -> HazardID? {
        let name = nameOrAlias.trimmingWhitespace()
        if byID[HazardID(name)] != nil { return HazardID(name) }
        if let id = byCode[name.uppercased()] { return id }
        return byOpenAIName[name]
    }

    /// Every hazard a name stands for: one for an ID or alias, all members for a group name,
    /// `nil` when the name is unknown.
    public func resolveAll(_ nameOrAlias: String) -> [HazardID]? {
        if let id = resolve(nameOrAlias) { return [id] }
        return membersByGroup[nameOrAlias.trimmingWhitespace()]
    }

    /// The group with this ID, if any.
    public func group(_ id: String) -> HazardGroup? { groups.first { $0.id == id } }

    /// IDs of the hazards in a group, in file order.
    public func members(ofGroup id: String) -> [HazardID] { membersByGroup[id] ?? [] }

    /// Llama Guard code (`S1`) of a hazard, if it has one.
    public func code(for id: HazardID) -> String? { byID[id]?.llamaGuardCode }

    /// OpenAI moderation names of a hazard.
    public func openAINames(for id: HazardID) -> [String] { byID[id]?.openAINames ?? [] }

    /// Every OpenAI moderation name this taxonomy maps, with its hazard.
    public var openAINameMapping: [String: HazardID] { byOpenAIName }

    /// Hazards fed by a model label (usually one; empty for labels the taxonomy does not know).
    public func hazards(forModelLabel label: String) -> [HazardID] { byModelLabel[label] ?? [] }

    /// Model labels that feed a hazard.
    public func modelLabels(for id: HazardID) -> [String] { byID[id]?.modelLabels ?? [] }

    /// Hazard scores from model label scores: each hazard takes the maximum of its labels' scores.
    /// Hazards with no scored label are absent, so "not scored" stays distinguishable from 0.
    public func hazardScores(from scores: LabelScores) -> [HazardID: Double] {
        var result: [HazardID: Double] = [:]
        for (label, score) in scores.values {
            for hazard in hazards(forModelLabel: label) {
                result[hazard] = max(result[hazard] ?? 0, score)
            }
        }
        return result
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view.removeFirst() }
        while view.last?.isWhitespace == true { view.removeLast() }
        return String(view)
    }
}

extension HazardTaxonomy {
    /// The names among `names` that name no hazard (by id, Llama Guard code or OpenAI name), for validating review
    /// labels: a label the taxonomy cannot read would be stored and exported as noise.
    public func unknownCategoryNames(_ names: [String]) -> [String] { names.filter { resolve($0) == nil } }

    /// The message for review categories the taxonomy does not know.
    public func unknownCategoriesMessage(_ unknown: [String]) -> String {
        let quoted = unknown.map { "'\($0)'" }.joined(separator: ", ")
        let examples = categories.prefix(2).map { "\($0.id.rawValue)\($0.llamaGuardCode.map { " or \($0)" } ?? "")" }
        return "unknown review categor\(unknown.count == 1 ? "y" : "ies") \(quoted) in taxonomy '\(id)'; "
            + "name categories by id or Llama Guard code (e.g. \(examples.joined(separator: ", ")))"
    }
}
