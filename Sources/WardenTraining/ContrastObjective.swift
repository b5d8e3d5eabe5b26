import Foundation
import WardenEval
import WardenTensor

/// Which contrast unit a training example belongs to (`Data/contrast`), so the paired objective can compare it with
/// its twin or its group swaps in the same batch.
public struct ContrastLink: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// The harmful side of a minimal pair: its `unsafe` logit should exceed its twin's by the margin.
        case harmful
        /// The harmless side of a minimal pair.
        case harmless
        /// One expansion of an identity template: its `unsafe` logit should not move when the group is swapped.
        case invariant
    }

    /// Examples with the same group are batched together.
    public var group: Int
    public var role: Role

    public init(group: Int, role: Role) {
        self.group = group
        self.role = role
    }

    /// Expansions of one identity template are tied in groups of at most this many, so that one template never
    /// fills half a batch; the groups overlap in no item but share the template's base wording.
    public static let invarianceGroupSize = 4

    /// The link of every item (nil for items outside the contrast training file): pairs by `orig_labels.pair`
    /// and `role`, identity expansions by `orig_labels.template`, cut into groups of ``invarianceGroupSize`` in
    /// a fixed order (by id). Group numbers are dense, in order of first appearance.
    public static func links(for items: [LabelledExample], source: String = "warden_contrast") -> [ContrastLink?] {
        var result = [ContrastLink?](repeating: nil, count: items.count)
        var groups: [String: Int] = [:]
        func group(_ key: String) -> Int {
            if let existing = groups[key] { return existing }
            groups[key] = groups.count
            return groups.count - 1
        }
        var templates: [String: [Int]] = [:]
        var templateOrder: [String] = []
        for (index, item) in items.enumerated() where item.source == source {
            guard case .string(let kind)? = item.origLabels?["kind"] else { continue }
            if kind == "identity" {
                guard case .string(let template)? = item.origLabels?["template"] else { continue }
                if templates[template] == nil { templateOrder.append(template) }
                templates[template, default: []].append(index)
            } else if case .string(let pair)? = item.origLabels?["pair"], case .string(let role)? = item.origLabels?["role"] {
                switch role {
                case "harmful": result[index] = ContrastLink(group: group("pair:" + pair), role: .harmful)
                case "harmless": result[index] = ContrastLink(group: group("pair:" + pair), role: .harmless)
                default: continue
                }
            }
        }
        for template in templateOrder {
            let members = templates[template]!.sorted { items[$0].id < items[$1].id }
            for (position, index) in members.enumerated() {
                let key = "template:\(template):\(position / invarianceGroupSize)"
                result[index] = ContrastLink(group: group(key), role: .invariant)
            }
        }
        return result
    }
}

/// The paired objective over contrast units present in a batch, on the `unsafe` logit (column 0):
///
/// - a minimal pair adds `pairWeight · softplus(margin − (z_harmful − z_harmless))`, a ranking loss that is zero
///   once the harmful side leads by well over the margin, so it pushes the twins apart rather than both up or down;
/// - an identity group adds `invarianceWeight · mean_i (z_i − z̄)²`, the spread of its logits, which is zero when
///   swapping the group leaves the score where it was.
///
/// Both are divided by the batch's BCE normaliser (Σ example weight · label mask, ``MaskedBCE/normalizer(targets:exampleWeights:)``),
/// as the BCE itself is, so a unit counts as much as `weight` weighted label terms of the BCE whatever the batch's
/// size and label coverage.
public struct ContrastObjective: Sendable, Hashable, Codable {
    public var pairWeight: Float
    public var margin: Float
    public var invarianceWeight: Float

    public init(pairWeight: Float, margin: Float, invarianceWeight: Float) {
        self.pairWeight = pairWeight
        self.margin = margin
        self.invarianceWeight = invarianceWeight
    }

    public var isActive: Bool { pairWeight > 0 || invarianceWeight > 0 }

    /// The objective's loss on `logits` (rows in batch order) and its gradient, added into `gradient`; both are
    /// divided by `normalizer`.
    public func addLossAndGradient(logits: Matrix, links: [ContrastLink?], normalizer: Double, into gradient: inout Matrix) -> Double {
        precondition(logits.rows == links.count && gradient.rows == logits.rows)
        guard isActive, logits.rows > 0, normalizer > 0 else { return 0 }
        var members: [Int: [Int]] = [:]
        for (row, link) in links.enumerated() { if let link { members[link.group, default: []].append(row) } }
        let scale = Float(1 / normalizer)
        var total = 0.0
        for group in members.keys.sorted() {
            let rows = members[group]!
            guard rows.count > 1 else { continue }
            if links[rows[0]]!.role == .invariant {
                guard invarianceWeight > 0 else { continue }
                let z = rows.map { logits[$0, 0] }
                let mean = z.reduce(0, +) / Float(z.count)
                var spread: Float = 0
                for (row, value) in zip(rows, z) {
                    spread += (value - mean) * (value - mean) / Float(z.count)
                    // d/dz_i of mean_j (z_j − z̄)² is 2 (z_i − z̄) / n (the z̄ terms cancel).
                    gradient[row, 0] += invarianceWeight * scale * 2 * (value - mean) / Float(z.count)
                }
                total += Double(invarianceWeight * scale * spread)
            } else {
                guard pairWeight > 0,
                      let harmful = rows.first(where: { links[$0]!.role == .harmful }),
                      let harmless = rows.first(where: { links[$0]!.role == .harmless }) else { continue }
                let gap = margin - (logits[harmful, 0] - logits[harmless, 0])
                let softplus = gap > 0 ? gap + log1p(exp(-gap)) : log1p(exp(gap))
                let slope = 1 / (1 + exp(-gap))
                total += Double(pairWeight * scale * softplus)
                gradient[harmful, 0] -= pairWeight * scale * slope
                gradient[harmless, 0] += pairWeight * scale * slope
            }
        }
        return total
    }
}
