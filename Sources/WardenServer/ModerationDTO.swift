import Foundation
import WardenCore
import WardenPipeline
import WardenTaxonomy

/// `POST /v1/moderations`: OpenAI's request, plus Warden's optional `policy`.
struct ModerationRequest: Decodable {
    var input: ModerationInput
    var model: String?
    var policy: String?
}

/// A string, an array of strings, or an array of `{"type": "text", "text": ...}` parts.
struct ModerationInput: Decodable {
    var texts: [String]

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        do {
            texts = [try container.decode(String.self)]
            return
        } catch DecodingError.typeMismatch {
            // Not a string: an array, or the wrong type altogether (said below, rather than "expected an array").
        }
        guard var array = try? decoder.unkeyedContainer() else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "expected a string or an array of strings or text parts"))
        }
        var texts: [String] = []
        while !array.isAtEnd {
            if let text = try? array.decode(String.self) {
                texts.append(text)
                continue
            }
            let part = try array.decode(Part.self)
            guard part.type == "text", let text = part.text else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: array.codingPath, debugDescription: "only text inputs are supported, not '\(part.type)'"))
            }
            texts.append(text)
        }
        self.texts = texts
    }
}

/// OpenAI's moderation response; `warden` carries the verdict behind each result.
struct ModerationResponse: Encodable {
    var id: String
    var model: String
    var results: [ModerationResult]
}

struct ModerationResult: Encodable {
    var flagged: Bool
    var categories: [String: Bool]
    var categoryScores: [String: Double]
    var categoryAppliedInputTypes: [String: [String]]
    var warden: VerdictRecord

    enum CodingKeys: String, CodingKey {
        case flagged, categories, warden
        case categoryScores = "category_scores"
        case categoryAppliedInputTypes = "category_applied_input_types"
    }

    /// Every OpenAI category name, scored by the hazard the taxonomy maps it to (0 when unmapped)
    /// and flagged when that hazard fired a non-allow rule.
    init(_ result: GuardResult, taxonomy: HazardTaxonomy) {
        let verdict = result.verdict
        let fired = Set(verdict.violations.filter { $0.decision != .allow }.map(\.category))
        let mapping = taxonomy.openAINameMapping
        var categories: [String: Bool] = [:]
        var scores: [String: Double] = [:]
        for name in OpenAIModerationCategory.all {
            let hazard = mapping[name]
            categories[name] = hazard.map(fired.contains) ?? false
            scores[name] = hazard.flatMap { verdict.scores[$0.rawValue] } ?? 0
        }
        flagged = verdict.decision != .allow
        self.categories = categories
        categoryScores = scores
        categoryAppliedInputTypes = Dictionary(uniqueKeysWithValues: OpenAIModerationCategory.all.map { ($0, ["text"]) })
        warden = VerdictRecord(result)
    }
}

