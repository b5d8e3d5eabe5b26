import Foundation
import Hummingbird
import WardenAudit
import WardenCore
import WardenPipeline
import WardenPolicy

/// An event as the audit API answers it: the record, its reviews, and the rules of its policy as loaded now, so the
/// review page can draw each score against the thresholds that judge it.
struct AuditEventView: Encodable {
    /// The stored event: the conversation, scores and the columns it was recorded with.
    var event: AuditEvent
    /// Its verdict in the one verdict shape (Docs/service.md, "The verdict object").
    var verdict: VerdictRecord
    var reviews: [AuditReview]
    /// `nil` when the event's policy is no longer loaded.
    var policy: PolicyRules?

    struct PolicyRules: Encodable {
        var id: String
        var hash: String
        /// False when the policy changed since the event was judged: its thresholds may not be the ones that applied.
        var matchesEvent: Bool
        /// Per score key (hazard ID, `unsafe`, custom category), the rules tried in order.
        var thresholds: [String: [PolicyEngine.RuleThreshold]]
    }
}

/// `GET /v1/audit/session`: who a token belongs to, and what the review page offers in its filters and labels.
struct AuditSession: Encodable {
    struct Category: Encodable {
        var id: String
        var code: String?
        var name: String
    }

    var id: String
    var role: AuditRole
    var canExport: Bool
    var categories: [Category]
    /// The loaded policies (older events may name others; the filter takes any text).
    var policies: [String]
    /// The model serving now (older events may name others).
    var model: String
}

extension WardenService {
    func eventView(_ detail: AuditEventDetail) -> AuditEventView {
        let event = detail.event
        let rules = policies.engine(id: event.policyID).map { engine in
            AuditEventView.PolicyRules(
                id: engine.policy.id, hash: engine.policy.contentHash, matchesEvent: engine.policy.contentHash == event.policyHash,
                thresholds: engine.ruleThresholds(direction: event.direction))
        }
        return AuditEventView(event: event, verdict: VerdictRecord(event), reviews: detail.reviews, policy: rules)
    }

    /// `GET /v1/audit/session` (admin or reviewer token): the review page's sign-in check.
    func auditSession(_ request: Request) throws -> Response {
        let caller = try authenticator.auditCaller(request)
        let session = AuditSession(
            id: caller.id, role: caller.role, canExport: caller.role == .admin,
            categories: taxonomy.categories.map { .init(id: $0.id.rawValue, code: $0.llamaGuardCode, name: $0.name) },
            policies: policies.ids, model: batcher.modelID)
        return try jsonResponse(session, encoder: APIJSON.snakeCaseEncoder)
    }

    /// `GET /v1/audit/export` (admin only): reviewed events as JSONL in the training-data schema, exactly what
    /// `warden audit export --reviewed` writes. Skipped events are counted in `Warden-Export-Skipped-*` headers.
    func auditExport(_ request: Request) async throws -> Response {
        _ = try authenticator.admin(request)
        let export = try await auditStore.reviewedExport()
        var headers: HTTPFields = [.contentType: "application/x-ndjson"]
        headers[.wardenExportRecords] = String(export.records.count)
        headers[.wardenExportSkippedWithoutText] = String(export.skippedWithoutText)
        headers[.wardenExportSkippedWithoutPrompt] = String(export.skippedWithoutPrompt)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try export.jsonLines())))
    }
}

extension HTTPFields.Element.Name {
    static let wardenExportRecords = Self("Warden-Export-Records")!
    static let wardenExportSkippedWithoutText = Self("Warden-Export-Skipped-Without-Text")!
    static let wardenExportSkippedWithoutPrompt = Self("Warden-Export-Skipped-Without-Prompt")!
}
