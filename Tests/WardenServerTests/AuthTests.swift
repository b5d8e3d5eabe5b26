import Foundation
import HummingbirdTesting
import Testing
@testable import WardenServer

@Suite("API keys, admin tokens and policy per key")
struct AuthTests {
    static let moderation = #"{"input": "hello"}"#

    @Test("With keys configured, client routes need a known key")
    func clientKeys() async throws {
        try await TestServer.run(configure: { configuration, _ in TestServer.withKeys(&configuration) }) { client in
            let none = try await client.post("/v1/moderations", json: Self.moderation)
            #expect(none.status == .unauthorized)
            #expect(none.errorCode == "invalid_api_key")
            #expect(try await client.post("/v1/moderations", json: Self.moderation, token: "sk-wrong").status == .unauthorized)
            #expect(try await client.post("/v1/moderations", json: Self.moderation, token: TestServer.appKey).status == .ok)
            // An admin may use the client routes too.
            #expect(try await client.post("/v1/moderations", json: Self.moderation, token: TestServer.adminToken).status == .ok)
        }
    }

    @Test("Without keys, client routes are open but the audit API still needs a token")
    func openClientRoutes() async throws {
        try await TestServer.run { client async throws in
            #expect(try await client.post("/v1/moderations", json: Self.moderation).status == .ok)
            #expect(try await client.get("/v1/audit/events").status == .unauthorized)
            #expect(try await client.get("/v1/audit/stats", token: "guess").status == .unauthorized)
            #expect(try await client.get("/v1/audit/events", token: TestServer.adminToken).status == .ok)
        }
    }

    @Test("Audit routes: 401 without or with a wrong token, 403 for a client key, 200 for an admin")
    func adminRoutes() async throws {
        try await TestServer.run(configure: { configuration, _ in TestServer.withKeys(&configuration) }) { client in
            for uri in ["/v1/audit/events", "/v1/audit/stats", "/v1/audit/events/00000000-0000-0000-0000-000000000000"] {
                #expect(try await client.get(uri).status == .unauthorized)
                #expect(try await client.get(uri, token: "not-a-token").status == .unauthorized)
                let forbidden = try await client.get(uri, token: TestServer.appKey)
                #expect(forbidden.status == .forbidden)
                #expect(forbidden.errorCode == "admin_token_required")
            }
            let review = try await client.post(
                "/v1/audit/events/00000000-0000-0000-0000-000000000000/review", json: #"{"unsafe": true}"#, token: TestServer.appKey)
            #expect(review.status == .forbidden)
            #expect(try await client.get("/v1/audit/events", token: TestServer.adminToken).status == .ok)
        }
    }

    @Test("A key's default policy applies; it may name allowed policies only")
    func policyPerKey() async throws {
        try await TestServer.run(configure: { configuration, _ in TestServer.withKeys(&configuration) }) { client in
            let appDefault = try await client.post("/v1/guard/check", json: Self.check(policy: nil), token: TestServer.appKey)
            #expect(appDefault.json["policy"] as? String == "default")
            let appStrict = try await client.post("/v1/guard/check", json: Self.check(policy: "strict"), token: TestServer.appKey)
            #expect(appStrict.json["policy"] as? String == "strict")

            let otherDefault = try await client.post("/v1/guard/check", json: Self.check(policy: nil), token: TestServer.otherKey)
            #expect(otherDefault.json["policy"] as? String == "strict")
            let refused = try await client.post("/v1/guard/check", json: Self.check(policy: "default"), token: TestServer.otherKey)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "policy_not_allowed")

            let unknown = try await client.post("/v1/guard/check", json: Self.check(policy: "nope"), token: TestServer.appKey)
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "policy_not_found")
        }
    }

    static func check(policy: String?) -> String {
        var body: [String: Any] = ["messages": [["role": "user", "content": "hello"]]]
        if let policy { body["policy"] = policy }
        return jsonText(body)
    }

    @Test("Secrets compare equal only when identical")
    func constantTimeComparison() {
        #expect(Authenticator.constantTimeEqual("abc123", "abc123"))
        #expect(!Authenticator.constantTimeEqual("abc123", "abc124"))
        #expect(!Authenticator.constantTimeEqual("abc123", "abc12"))
        #expect(!Authenticator.constantTimeEqual("abc123", "abc1234"))
        #expect(!Authenticator.constantTimeEqual("abc", ""))
    }
}
