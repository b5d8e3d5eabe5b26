import Foundation
import Hummingbird
import WardenAudit
import WardenBackends
import WardenPipeline

/// An error answered as OpenAI does: `{"error": {"message", "type", "code"}}` with its HTTP status.
///
/// Every failure of a route ends up here (see ``APIError/init(_:)``), so clients see one shape.
public struct APIError: Error, Sendable, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// OpenAI's coarse kind: `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `not_found_error`, `rate_limit_error`, `server_error`.
    public var type: String
    /// A stable machine-readable code, such as `invalid_json` or `overloaded`.
    public var code: String
    /// Seconds a client should wait before retrying (503 only).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, type: String, code: String, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON body.
    public var body: Data {
        let payload = ["error": ["message": message, "type": type, "code": code]]
        return (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
    }

    // MARK: - Common errors

    static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(.badRequest, type: "invalid_request_error", code: code, message: message)
    }

    static func unprocessable(_ message: String, code: String = "empty_input") -> APIError {
        APIError(.unprocessableContent, type: "invalid_request_error", code: code, message: message)
    }

    static func tooLarge(limit: Int) -> APIError {
        APIError(
            .contentTooLarge, type: "invalid_request_error", code: "body_too_large",
            message: "the request body is larger than \(limit) bytes; send less, or raise server.max_body_bytes")
    }

    static let unauthorized = APIError(
        .unauthorized, type: "authentication_error", code: "invalid_api_key",
        message: "missing or unknown API key; send 'Authorization: Bearer <key>'")

    static let adminRequired = APIError(
        .forbidden, type: "permission_error", code: "admin_token_required",
        message: "this route needs an admin or reviewer token; client API keys cannot read the audit log")

    static let reviewerCannot = APIError(
        .forbidden, type: "permission_error", code: "admin_token_required",
        message: "this route needs an admin token; a reviewer token reads and labels events but cannot export")

    static func overloaded(retryAfter: Int, detail: String = "the server is at capacity") -> APIError {
        APIError(
            .serviceUnavailable, type: "server_error", code: "overloaded",
            message: "\(detail); retry after \(retryAfter) s", retryAfter: retryAfter)
    }

    static func notFound(_ message: String, code: String = "not_found") -> APIError {
        APIError(.notFound, type: "not_found_error", code: code, message: message)
    }

    // MARK: - Mapping domain errors

    /// The API error for anything a route threw.
    init(_ error: any Error, retryAfter: Int) {
        switch error {
        case let error as APIError:
            self = error
        case let error as GuardError:
            self = Self.mapping(error, retryAfter: retryAfter)
        case let error as BatchingError:
            self = .overloaded(retryAfter: retryAfter, detail: error.description)
        case let error as BackendError:
            self = APIError(.badGateway, type: "server_error", code: "backend_error", message: error.description)
        case let error as AuditError:
            switch error {
            case .eventNotFound: self = .notFound(error.description, code: "event_not_found")
            case .invalidQuery, .invalidReview: self = .badRequest(error.description)
            default: self = APIError(.serviceUnavailable, type: "server_error", code: "audit_unavailable", message: error.description)
            }
        case let error as HTTPError:
            self = Self.framework(error.status, message: error.body)
        case let error as any HTTPResponseError:
            self = Self.framework(error.status, message: nil)
        default:
            self = APIError(.internalServerError, type: "server_error", code: "internal_error", message: "internal error: \(error)")
        }
    }

    /// Errors Hummingbird throws itself (no route, a missing path parameter, a body too large).
    private static func framework(_ status: HTTPResponse.Status, message: String?) -> APIError {
        switch status {
        case .notFound: .notFound(message ?? "no such route; see Docs/service.md for the API")
        case .contentTooLarge: APIError(status, type: "invalid_request_error", code: "body_too_large", message: message ?? "the request body is too large")
        case .methodNotAllowed: APIError(status, type: "invalid_request_error", code: "method_not_allowed", message: message ?? "method not allowed")
        default:
            APIError(
                status, type: status.code < 500 ? "invalid_request_error" : "server_error", code: "http_\(status.code)",
                message: message ?? status.reasonPhrase)
        }
    }

    private static func mapping(_ error: GuardError, retryAfter: Int) -> APIError {
        switch error {
        case .policyNotFound:
            .notFound(error.description, code: "policy_not_found")
        case .inputOverLimits:
            APIError(.contentTooLarge, type: "invalid_request_error", code: "input_over_limits", message: error.description)
        case .requestTooLarge:
            APIError(.contentTooLarge, type: "invalid_request_error", code: "request_too_large", message: error.description)
        case .classifierOverloaded(let reason, _):
            .overloaded(retryAfter: retryAfter, detail: reason)
        case .classifierFailed:
            APIError(
                .serviceUnavailable, type: "server_error", code: "classifier_unavailable", message: error.description,
                retryAfter: retryAfter)
        case .auditUnavailable:
            APIError(.serviceUnavailable, type: "server_error", code: "audit_unavailable", message: error.description, retryAfter: retryAfter)
        }
    }
}
