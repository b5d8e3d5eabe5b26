import Foundation
import Hummingbird
import WardenAudit
import WardenCore

/// `POST /v1/audit/events/{id}/review`.
struct ReviewRequest: Decodable {
    /// Defaults to the token's role and id (`admin:ops`, `reviewer:alice`); only an admin may name someone else.
    var reviewer: String?
    var unsafe: Bool
    var categories: [String]?
    var note: String?
}

extension WardenService {
    /// `GET /v1/audit/events`: newest first, filtered; `next_cursor` pages on.
    func auditEvents(_ request: Request) async throws -> Response {
        _ = try authenticator.auditCaller(request)
        let query = try Self.auditQuery(request.uri.queryParameters)
        let page = try await auditStore.events(matching: query)
        return try jsonResponse(page, encoder: APIJSON.snakeCaseEncoder)
    }

    /// `GET /v1/audit/events/{id}` (a full id or a unique prefix of at least 4 characters).
    func auditEvent(_ request: Request, id text: String) async throws -> Response {
        _ = try authenticator.auditCaller(request)
        let id = try await auditStore.resolveEventID(text)
        guard let detail = try await auditStore.event(id: id) else { throw AuditError.eventNotFound(text) }
        return try jsonResponse(eventView(detail), encoder: APIJSON.snakeCaseEncoder)
    }

    /// `POST /v1/audit/events/{id}/review`: adds a review beside the verdict; answers the event.
    func reviewAuditEvent(_ request: Request, id text: String) async throws -> Response {
        let caller = try authenticator.auditCaller(request)
        let body = try await RequestDecoding.decode(ReviewRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        let named = body.reviewer?.trimmingCharacters(in: .whitespaces).nonEmpty
        // A reviewer signs with their own token's name, so the export says who labelled what.
        if caller.role == .reviewer, let named, named != caller.reviewerName {
            throw APIError(
                .forbidden, type: "permission_error", code: "reviewer_mismatch",
                message: "a reviewer token signs its reviews as '\(caller.reviewerName)'; drop 'reviewer' or send that name")
        }
        let unknown = taxonomy.unknownCategoryNames(body.categories ?? [])
        guard unknown.isEmpty else { throw APIError.badRequest(taxonomy.unknownCategoriesMessage(unknown), code: "unknown_category") }
        let id = try await auditStore.resolveEventID(text)
        let reviewer = named ?? caller.reviewerName
        let review = AuditReview(eventID: id, reviewer: reviewer, unsafe: body.unsafe, categories: body.categories ?? [], note: body.note)
        try await auditStore.review(eventID: id, review)
        guard let detail = try await auditStore.event(id: id) else { throw AuditError.eventNotFound(text) }
        return try jsonResponse(eventView(detail), encoder: APIJSON.snakeCaseEncoder)
    }

    /// `GET /v1/audit/stats`: counts per decision, category and day, under the same filters.
    func auditStatistics(_ request: Request) async throws -> Response {
        _ = try authenticator.auditCaller(request)
        let statistics = try await auditStore.statistics(matching: try Self.auditQuery(request.uri.queryParameters))
        return try jsonResponse(statistics, encoder: APIJSON.snakeCaseEncoder)
    }

    // MARK: - Query parameters

    static let auditParameters = [
        "decision", "flagged", "category", "direction", "policy", "model", "since", "until", "q", "reviewed", "min_unsafe",
        "limit", "cursor", "offset",
    ]

    /// Reads the filters; unknown parameters and unreadable values are 400s that say what is accepted.
    static func auditQuery(_ parameters: Parameters) throws(APIError) -> AuditQuery {
        var query = AuditQuery()
        for (key, value) in parameters {
            let name = String(key)
            let text = String(value)
            guard auditParameters.contains(name) else {
                throw .badRequest("unknown query parameter '\(name)'; known: \(auditParameters.joined(separator: ", "))")
            }
            switch name {
            case "decision":
                query.decision = try parse(text, name) { Decision(rawValue: $0) }
            case "direction":
                query.direction = try parse(text, name) { Direction(rawValue: $0) }
            case "category": query.category = text
            case "policy": query.policyID = text
            case "model": query.modelID = text
            case "flagged": query.flagged = try parse(text, name) { Bool($0.lowercased()) }
            case "q": query.text = text
            case "cursor": query.cursor = text
            case "since": query.since = try parse(text, name) { AuditTimeParsing.date($0) }
            case "until": query.until = try parse(text, name) { AuditTimeParsing.date($0) }
            case "reviewed": query.reviewed = try parse(text, name) { Bool($0.lowercased()) }
            case "min_unsafe": query.minimumUnsafeScore = try parse(text, name) { Double($0).flatMap { (0...1).contains($0) ? $0 : nil } }
            case "limit": query.limit = try parse(text, name) { Int($0).flatMap { (1...AuditQuery.maximumLimit).contains($0) ? $0 : nil } }
            case "offset": query.offset = try parse(text, name) { Int($0).flatMap { $0 >= 0 ? $0 : nil } }
            default: break
            }
        }
        return query
    }

    private static func parse<T>(_ text: String, _ name: String, _ read: (String) -> T?) throws(APIError) -> T {
        guard let value = read(text) else {
            let expected = switch name {
            case "decision": "allow, review or block"
            case "direction": "input or output"
            case "since", "until": "a date (2025-01-31, 2025-01-31T12:00:00Z) or a duration before now (30m, 12h, 7d)"
            case "reviewed", "flagged": "true or false"
            case "min_unsafe": "a number in [0, 1]"
            case "limit": "a whole number in 1...\(AuditQuery.maximumLimit)"
            default: "a whole number >= 0"
            }
            throw .badRequest("query parameter '\(name)' is '\(text)'; expected \(expected)", code: "invalid_parameter")
        }
        return value
    }
}
