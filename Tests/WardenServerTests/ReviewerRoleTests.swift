import Foundation
import HummingbirdTesting
import Testing
@testable import WardenServer

/// The reviewer role on the audit API: reads and labels, never exports.
@Suite("Reviewer role")
struct ReviewerRoleTests {
    static let admin = TestServer.adminToken
    static let reviewer = "rev-secret-token"

    static func configure(_ configuration: inout ServerConfiguration, _: URL) {
        TestServer.withKeys(&configuration)
        configuration.reviewerTokens = [ReviewerToken(id: "alice", token: reviewer)]
    }

    /// Moderates a safe and two flagged texts (with the app key) and returns the id of the bomb event.
    static func seed(_ client: any TestClientProtocol) async throws -> String {
        let body = jsonText(["input": ["a pleasant walrus poem", "how do I kill my neighbour", "building a bomb at home"]])
        #expect(try await client.post("/v1/moderations", json: body, token: TestServer.appKey).status == .ok)
        #expect(try await eventually {
            (try await client.get("/v1/audit/events", token: reviewer).json["events"] as? [Any])?.count == 3
        })
        let found = try await client.get("/v1/audit/events?q=bomb", token: reviewer)
        return try #require((found.json["events"] as? [[String: Any]])?.first?["id"] as? String)
    }

    @Test("A reviewer reads and labels (signed with its own name) but cannot export; an admin exports the label")
    func readLabelNoExport() async throws {
        try await TestServer.run(configure: Self.configure) { client in
            let id = try await Self.seed(client)
            #expect(try await client.get("/v1/audit/events/\(id)", token: Self.reviewer).status == .ok)
            #expect(try await client.get("/v1/audit/stats", token: Self.reviewer).status == .ok)

            let labelled = try await client.post(
                "/v1/audit/events/\(id)/review", json: #"{"unsafe": true, "categories": ["S9"], "note": "recipe"}"#, token: Self.reviewer)
            #expect(labelled.status == .ok)
            let reviews = try #require(labelled.json["reviews"] as? [[String: Any]])
            #expect(reviews.first?["reviewer"] as? String == "reviewer:alice")

            let refused = try await client.get("/v1/audit/export", token: Self.reviewer)
            #expect(refused.status == .forbidden)
            #expect(refused.errorCode == "admin_token_required")
            #expect(refused.text.contains("reviewer token"))

            let export = try await client.get("/v1/audit/export", token: Self.admin)
            #expect(export.status == .ok)
            #expect(export.headers[.contentType] == "application/x-ndjson")
            let lines = export.text.split(separator: "\n")
            #expect(lines.count == 1)
            let record = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(record["id"] as? String == "warden-audit-\(id.lowercased())")
            #expect(record["unsafe"] as? Bool == true)
            #expect(record["categories"] as? [String] == ["S9"])
            let labels = try #require(record["orig_labels"] as? [String: Any])
            #expect(labels["reviewer"] as? String == "reviewer:alice")
            #expect(labels["review_note"] as? String == "recipe")
        }
    }

    @Test("A reviewer cannot sign a review with another name; an admin still can")
    func reviewerName() async throws {
        try await TestServer.run(configure: Self.configure) { client in
            let id = try await Self.seed(client)
            let impersonating = try await client.post(
                "/v1/audit/events/\(id)/review", json: #"{"unsafe": false, "reviewer": "bob"}"#, token: Self.reviewer)
            #expect(impersonating.status == .forbidden)
            #expect(impersonating.errorCode == "reviewer_mismatch")
            let own = try await client.post(
                "/v1/audit/events/\(id)/review", json: #"{"unsafe": false, "reviewer": "reviewer:alice"}"#, token: Self.reviewer)
            #expect(own.status == .ok)
            let admin = try await client.post("/v1/audit/events/\(id)/review", json: #"{"unsafe": false, "reviewer": "carol"}"#, token: Self.admin)
            #expect((admin.json["reviews"] as? [[String: Any]])?.last?["reviewer"] as? String == "carol")
        }
    }

    @Test("The session names the role and what the page offers; client keys and strangers are refused")
    func session() async throws {
        try await TestServer.run(configure: Self.configure) { client in
            let reviewer = try await client.get("/v1/audit/session", token: Self.reviewer)
            #expect(reviewer.status == .ok)
            #expect(reviewer.json["id"] as? String == "alice")
            #expect(reviewer.json["role"] as? String == "reviewer")
            #expect(reviewer.json["can_export"] as? Bool == false)
            #expect(reviewer.json["policies"] as? [String] == ["default", "strict"])
            #expect(reviewer.json["model"] as? String == "keyword-test-model@1")
            let categories = try #require(reviewer.json["categories"] as? [[String: Any]])
            #expect(categories.contains { $0["id"] as? String == "violent_crimes" && $0["code"] as? String == "S1" })

            let admin = try await client.get("/v1/audit/session", token: Self.admin)
            #expect(admin.json["role"] as? String == "admin")
            #expect(admin.json["can_export"] as? Bool == true)
            #expect(try await client.get("/v1/audit/session", token: TestServer.appKey).status == .forbidden)
            #expect(try await client.get("/v1/audit/session").status == .unauthorized)
            #expect(try await client.get("/v1/audit/session", token: "guess").status == .unauthorized)
            #expect(try await client.get("/v1/audit/export").status == .unauthorized)
            #expect(try await client.get("/v1/audit/export", token: TestServer.appKey).status == .forbidden)
        }
    }

    @Test("flagged and model filter the queue; counts follow the same filters")
    func queueFilters() async throws {
        try await TestServer.run(configure: Self.configure) { client in
            _ = try await Self.seed(client)
            func count(_ query: String) async throws -> Int? {
                (try await client.get("/v1/audit/events?\(query)", token: Self.reviewer).json["events"] as? [Any])?.count
            }
            #expect(try await count("flagged=true") == 2)
            #expect(try await count("flagged=false") == 1)
            #expect(try await count("model=keyword-test-model@1") == 3)
            #expect(try await count("model=another-model") == 0)
            #expect(try await count("flagged=true&category=S1") == 1)
            let stats = try await client.get("/v1/audit/stats?flagged=true", token: Self.reviewer)
            #expect(stats.json["total"] as? Int == 2)
            let bad = try await client.get("/v1/audit/events?flagged=maybe", token: Self.reviewer)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("true or false"))
        }
    }

    @Test("An event carries its policy's thresholds per category, in the order the rules are tried")
    func thresholds() async throws {
        try await TestServer.run(configure: Self.configure) { client in
            let id = try await Self.seed(client)
            let view = try await client.get("/v1/audit/events/\(id)", token: Self.reviewer)
            let policy = try #require(view.json["policy"] as? [String: Any])
            #expect(policy["id"] as? String == "default")
            #expect(policy["matches_event"] as? Bool == true)
            let thresholds = try #require(policy["thresholds"] as? [String: [[String: Any]]])
            // The test policy: specialized advice has an input rule (review at 0.5); the rest fall to defaults.
            #expect(thresholds["specialized_advice"]?.first?["rule"] as? String == "input[0]")
            #expect(thresholds["specialized_advice"]?.first?["decision"] as? String == "review")
            #expect(thresholds["indiscriminate_weapons"]?.first?["rule"] as? String == "defaults")
            #expect(thresholds["indiscriminate_weapons"]?.first?["threshold"] as? Double == 0.5)
            #expect(thresholds["unsafe"] == nil, "no rule names the overall label, so nothing judges it")
        }
    }

    @Test("Reviewer tokens come from the environment, the file and flags, and may not reuse another role's secret")
    func configuration() throws {
        let environment = ConfigurationLayer.environment(["WARDEN_REVIEWER_TOKENS": "alice:r-1, r-2", "WARDEN_ADMIN_TOKENS": "ops:a-1"])
        let resolved = try ServerConfiguration.resolve(file: nil, layers: [environment])
        #expect(resolved.reviewerTokens == [ReviewerToken(id: "alice", token: "r-1"), ReviewerToken(id: "reviewer-2", token: "r-2")])

        let file = try ConfigurationTests.write("reviewer_tokens:\n  - { id: bob, token: r-9 }\n", name: "warden.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try ServerConfiguration.resolve(file: file, layers: []).reviewerTokens == [ReviewerToken(id: "bob", token: "r-9")])

        let clash = ConfigurationLayer.environment(["WARDEN_REVIEWER_TOKENS": "alice:same", "WARDEN_ADMIN_TOKENS": "ops:same"])
        #expect {
            try ServerConfiguration.resolve(file: nil, layers: [clash])
        } throws: { error in
            "\(error)".contains("reviewer_tokens") && "\(error)".contains("own secret")
        }
    }
}
