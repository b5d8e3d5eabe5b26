import Foundation
import Hummingbird
import NIOCore
import WardenAudit

/// `/readyz`: each thing the service needs, and whether it is there.
struct ReadinessResponse: Encodable {
    var status: String
    var checks: [String: Check]

    struct Check: Encodable {
        var ok: Bool
        var detail: String
    }
}

extension WardenService {
    /// `GET /healthz`: the process is up and answering.
    func health() throws -> Response {
        try jsonResponse(["status": "ok"])
    }

    /// `GET /readyz`: 200 when the model, the default policy and the audit log are all usable, else 503. The audit
    /// log is usable when its last write succeeded and (PostgreSQL) the server answers now.
    func readiness() async throws -> Response {
        let labels = batcher.labels
        let policyIDs = policies.ids
        let audit = auditWriter.metrics
        var auditCheck = ReadinessResponse.Check(
            ok: audit.isDatabaseAvailable,
            detail: audit.isDatabaseAvailable ? auditStore.location : "unavailable: \(audit.lastError ?? "write failed")")
        if audit.isDatabaseAvailable {
            do {
                try await auditStore.checkReachable()
            } catch {
                auditCheck = .init(ok: false, detail: "unreachable: \((error as? AuditError)?.description ?? "\(error)")")
            }
        }
        let checks: [String: ReadinessResponse.Check] = [
            "model": .init(ok: !labels.isEmpty, detail: "\(batcher.modelID), \(labels.count) labels"),
            "policies": .init(
                ok: policyIDs.contains(configuration.defaultPolicy),
                detail: policyIDs.isEmpty
                    ? "no policy loaded"
                    : "loaded: \(policyIDs.joined(separator: ", ")); default: \(configuration.defaultPolicy)"),
            "audit": auditCheck,
        ]
        let ready = checks.values.allSatisfy(\.ok)
        return try jsonResponse(
            ReadinessResponse(status: ready ? "ready" : "not_ready", checks: checks), status: ready ? .ok : .serviceUnavailable)
    }

    /// `GET /metrics`: Prometheus text exposition.
    func prometheus() -> Response {
        let text = metrics.render(audit: auditWriter.metrics)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
