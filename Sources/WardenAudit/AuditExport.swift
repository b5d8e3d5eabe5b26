import Foundation
import WardenCore

/// The result of exporting reviewed events.
public struct AuditExport: Sendable, Hashable {
    public var records: [AuditExportRecord]
    /// Reviewed events whose judged messages were stored hashed or not at all.
    public var skippedWithoutText: Int
    /// Reviewed events without a user message to use as the prompt.
    public var skippedWithoutPrompt: Int

    package init(records: [AuditExportRecord], skippedWithoutText: Int, skippedWithoutPrompt: Int) {
        self.records = records
        self.skippedWithoutText = skippedWithoutText
        self.skippedWithoutPrompt = skippedWithoutPrompt
    }

    /// One JSON object per line, each line ending in `\n`.
    public func jsonLines() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(0x0A)
        }
        return data
    }
}

/// One example in the shared training-data schema (`../shared/data/README.md`).
public struct AuditExportRecord: Codable, Sendable, Hashable {
    public static let source = "warden-audit"

    public var id: String
    public var source: String
    public var prompt: String
    /// Present when the event judged a response; the label is then about the response.
    public var response: String?
    public var unsafe: Bool
    /// Llama Guard codes (`S1`...) or the schema's extra categories; empty when safe.
    public var categories: [String]
    public var origLabels: OriginalLabels

    /// What the model and the reviewer said, kept beside the label.
    public struct OriginalLabels: Codable, Sendable, Hashable {
        public var modelDecision: String
        public var modelCategories: [String]
        public var modelUnsafeScore: Double?
        public var direction: String
        public var policyID: String
        public var policyHash: String
        public var modelID: String
        public var reviewer: String
        public var reviewerCategories: [String]
        public var reviewNote: String?
        public var reviewTime: String
        public var reviewCount: Int

        enum CodingKeys: String, CodingKey {
            case modelDecision = "model_decision", modelCategories = "model_categories"
            case modelUnsafeScore = "model_unsafe_score", direction, policyID = "policy_id"
            case policyHash = "policy_hash", modelID = "model_id", reviewer
            case reviewerCategories = "reviewer_categories", reviewNote = "review_note"
            case reviewTime = "review_time", reviewCount = "review_count"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, source, prompt, response, unsafe, categories, origLabels = "orig_labels"
    }

    package enum Outcome {
        case record(AuditExportRecord)
        case withoutText
        case withoutPrompt
    }

    package static func make(from detail: AuditEventDetail, categoryCodes: [String: String]) -> Outcome {
        guard let review = detail.latestReview else { return .withoutPrompt }
        let event = detail.event
        let messages = event.messages
        let responseIndex = event.direction == .output ? messages.lastIndex { $0.role == .assistant } : nil
        let promptSearchEnd = responseIndex ?? messages.endIndex
        guard let promptIndex = messages[..<promptSearchEnd].lastIndex(where: { $0.role == .user }) else {
            return .withoutPrompt
        }
        guard let prompt = messages[promptIndex].content else { return .withoutText }
        var response: String?
        if let responseIndex {
            guard let text = messages[responseIndex].content else { return .withoutText }
            response = text
        }
        // The overall label is not a category the model flagged, so it stays `unsafe` here (events recorded before
        // 2026-12 gave its violation a borrowed code, which is ignored).
        let categoryViolations = event.violations.filter { $0.category.rawValue != LabelScores.unsafeLabel }
        var codes = categoryCodes
        for violation in categoryViolations {
            if let code = violation.code { codes[violation.category.rawValue] = code }
        }
        let categories = review.unsafe ? AuditCategories.exportCodes(review.categories, codes: codes) : []
        let modelCategories = AuditCategories.exportCodes(
            event.violations.map { $0.category.rawValue == LabelScores.unsafeLabel ? $0.category.rawValue : $0.code ?? $0.category.rawValue },
            codes: codes)
        let unsafeScore = event.scores[LabelScores.unsafeLabel]
        let labels = OriginalLabels(
            modelDecision: event.decision.rawValue, modelCategories: modelCategories,
            modelUnsafeScore: unsafeScore?.isFinite == true ? unsafeScore : nil, direction: event.direction.rawValue,
            policyID: event.policyID, policyHash: event.policyHash, modelID: event.modelID, reviewer: review.reviewer,
            reviewerCategories: review.categories, reviewNote: review.note,
            reviewTime: review.time.formatted(.iso8601), reviewCount: detail.reviews.count)
        return .record(
            AuditExportRecord(
                id: "\(source)-\(event.id.uuidString.lowercased())", source: source, prompt: prompt, response: response,
                unsafe: review.unsafe, categories: categories, origLabels: labels))
    }
}

/// Category spellings: Llama Guard codes are upper case (`S1`); other names lower case.
package enum AuditCategories {
    /// `S1` for `s1`/`S1`/` S01 `; `nil` when `text` is not a Llama Guard code.
    package static func normalizedCode(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 2, trimmed.first == "S" || trimmed.first == "s",
            let number = Int(trimmed.dropFirst()), number > 0
        else { return nil }
        return "S\(number)"
    }

    /// Trimmed, codes upper-cased, empties and duplicates dropped, order kept.
    package static func normalized(_ categories: [String]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for category in categories {
            let trimmed = category.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            let value = normalizedCode(trimmed) ?? trimmed
            if seen.insert(value).inserted { result.append(value) }
        }
        return result
    }

    /// Codes for the export: hazard IDs mapped through `codes`, others lower-cased; codes first in number order.
    static func exportCodes(_ categories: [String], codes: [String: String]) -> [String] {
        let mapped = normalized(categories).map { category in
            normalizedCode(category) ?? codes[category].flatMap(normalizedCode) ?? category.lowercased()
        }
        return Array(Set(mapped)).sorted { lhs, rhs in
            switch (normalizedNumber(lhs), normalizedNumber(rhs)) {
            case let (l?, r?): l < r
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): lhs < rhs
            }
        }
    }

    private static func normalizedNumber(_ code: String) -> Int? {
        normalizedCode(code).flatMap { Int($0.dropFirst()) }
    }
}
