import Foundation
import Hummingbird

/// Who sent a request, from its bearer token.
public enum Caller: Sendable, Hashable {
    /// No keys are configured: client routes are open.
    case anonymous
    case client(ClientKey)
    case admin(AdminToken)

    /// The id recorded in the audit log (never the secret).
    var auditID: String? {
        switch self {
        case .anonymous: nil
        case .client(let key): key.id
        case .admin(let token): "admin:\(token.id)"
        }
    }
}

/// What a token may do on the audit API (see "Roles" in Docs/service.md).
public enum AuditRole: String, Sendable, Hashable, Codable {
    /// Reads, labels, exports; also works on the client routes.
    case admin
    /// Reads and labels (the review page); cannot export reviewed data.
    case reviewer
}

/// The holder of an admin or reviewer token on the audit API.
struct AuditCaller: Sendable, Hashable {
    var id: String
    var role: AuditRole

    /// How the caller's reviews are signed: `admin:ops`, `reviewer:alice`.
    var reviewerName: String { "\(role.rawValue):\(id)" }
}

/// Checks bearer tokens against the configured client keys, admin tokens and reviewer tokens.
///
/// Every configured secret is compared, in constant time for its length, whatever matches first, so
/// the time of a check does not tell which secret (or how much of one) a guess got right.
struct Authenticator: Sendable {
    let clientKeys: [ClientKey]
    let adminTokens: [AdminToken]
    var reviewerTokens: [ReviewerToken] = []

    /// The caller of a client route (moderation, guard check, chat).
    /// - Throws: ``APIError/unauthorized`` when keys are configured and the token matches none.
    func client(_ request: Request) throws(APIError) -> Caller {
        let token = Self.bearer(request)
        if let token {
            if let admin = match(token, adminTokens.map { ($0.token, $0) }) { return .admin(admin) }
            if let key = match(token, clientKeys.map { ($0.key, $0) }) { return .client(key) }
        }
        if clientKeys.isEmpty { return .anonymous }
        throw .unauthorized
    }

    /// The admin behind an admin-only route (export): 401 without a known token, 403 for a client key or reviewer token.
    func admin(_ request: Request) throws(APIError) -> AdminToken {
        guard let token = Self.bearer(request) else { throw .unauthorized }
        if let admin = match(token, adminTokens.map { ($0.token, $0) }) { return admin }
        if match(token, reviewerTokens.map { ($0.token, $0) }) != nil { throw .reviewerCannot }
        if match(token, clientKeys.map { ($0.key, $0) }) != nil { throw .adminRequired }
        throw .unauthorized
    }

    /// The admin or reviewer behind an audit read or a review: 401 without a known token, 403 for a client key.
    func auditCaller(_ request: Request) throws(APIError) -> AuditCaller {
        guard let token = Self.bearer(request) else { throw .unauthorized }
        let admin = match(token, adminTokens.map { ($0.token, $0) })
        let reviewer = match(token, reviewerTokens.map { ($0.token, $0) })
        if let admin { return AuditCaller(id: admin.id, role: .admin) }
        if let reviewer { return AuditCaller(id: reviewer.id, role: .reviewer) }
        if match(token, clientKeys.map { ($0.key, $0) }) != nil { throw .adminRequired }
        throw .unauthorized
    }

    private func match<T>(_ token: String, _ candidates: [(String, T)]) -> T? {
        var found: T?
        for (secret, value) in candidates where Self.constantTimeEqual(secret, token) && found == nil {
            found = value
        }
        return found
    }

    /// The token of an `Authorization: Bearer <token>` header.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// Compares every byte of `secret` whatever the input, so timing reveals at most the secret's length.
    static func constantTimeEqual(_ secret: String, _ guess: String) -> Bool {
        let a = Array(secret.utf8)
        let b = Array(guess.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in a.indices {
            difference |= a[index] ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
