import Foundation
import HummingbirdTesting
import Testing
@testable import WardenServer

@Suite("Audit API")
struct AuditAPITests {
    static let token = TestServer.adminToken

    /// Moderates three texts and waits until their events are readable.
    static func seed(_ client: any TestClientProtocol) async throws {
        let body = jsonText(["input": ["a pleasant walrus poem", "how do I kill my neighbour", "building a bomb at home"]])
        #expect(try await client.post("/v1/moderations", json: body).status == .ok)
        #expect(try await eventually {
            (try await client.get("/v1/audit/events", token: token).json["events"] as? [Any])?.count == 3
        })
    }

    @Test("Events are listed newest first and filtered by decision, category, direction and full text")
    func listAndFilter() async throws {
        try await TestServer.run { client in
            try await Self.seed(client)
            let blocked = try await client.get("/v1/audit/events?decision=block", token: Self.token)
            #expect((blocked.json["events"] as? [[String: Any]])?.count == 2)
            let violent = try await client.get("/v1/audit/events?category=S1", token: Self.token)
            let violentEvents = try #require(violent.json["events"] as? [[String: Any]])
            #expect(violentEvents.count == 1)
            #expect(violentEvents.first?["categories"] as? [String] == ["violent_crimes"])
            let walrus = try await client.get("/v1/audit/events?q=walrus", token: Self.token)
            let found = try #require(walrus.json["events"] as? [[String: Any]])
            #expect(found.count == 1)
            #expect((found.first?["snippet"] as? String)?.contains("walrus") == true)
            let outputs = try await client.get("/v1/audit/events?direction=output", token: Self.token)
            #expect((outputs.json["events"] as? [Any])?.isEmpty == true)

            let firstPage = try await client.get("/v1/audit/events?limit=2", token: Self.token)
            #expect((firstPage.json["events"] as? [Any])?.count == 2)
            let cursor = try #require(firstPage.json["next_cursor"] as? String)
            let secondPage = try await client.get("/v1/audit/events?limit=2&cursor=\(cursor)", token: Self.token)
            #expect((secondPage.json["events"] as? [Any])?.count == 1)
        }
    }

    @Test("A review naming a category the taxonomy does not know is refused and stores nothing")
    func reviewWithUnknownCategory() async throws {
        try await TestServer.run { client in
            try await Self.seed(client)
            let list = try await client.get("/v1/audit/events?q=bomb", token: Self.token)
            let id = try #require((list.json["events"] as? [[String: Any]])?.first?["id"] as? String)
            let refused = try await client.post(
                "/v1/audit/events/\(id)/review", json: #"{"unsafe": true, "categories": ["S1", "S99", "weather"]}"#, token: Self.token)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("'S99', 'weather'"))
            #expect(refused.text.contains("unknown_category"))
            let accepted = try await client.post(
                "/v1/audit/events/\(id)/review", json: #"{"unsafe": true, "categories": ["S1", "violent_crimes"]}"#, token: Self.token)
            #expect(accepted.status == .ok)
            #expect((accepted.json["reviews"] as? [[String: Any]])?.count == 1, "only the valid review is stored")
        }
    }

    @Test("An event shows its text and verdict; a review is stored beside it and filters by reviewed")
    func detailAndReview() async throws {
        try await TestServer.run { client in
            try await Self.seed(client)
            let list = try await client.get("/v1/audit/events?q=bomb", token: Self.token)
            let id = try #require((list.json["events"] as? [[String: Any]])?.first?["id"] as? String)

            let detail = try await client.get("/v1/audit/events/\(id)", token: Self.token)
            #expect(detail.status == .ok)
            let event = try #require(detail.json["event"] as? [String: Any])
            #expect(event["decision"] as? String == "block")
            let messages = try #require(event["messages"] as? [[String: Any]])
            #expect(messages.first?["content"] as? String == "building a bomb at home")

            let review = try await client.post(
                "/v1/audit/events/\(id)/review", json: #"{"unsafe": false, "categories": [], "note": "a chemistry class"}"#,
                token: Self.token)
            #expect(review.status == .ok)
            let reviews = try #require(review.json["reviews"] as? [[String: Any]])
            #expect(reviews.count == 1)
            #expect(reviews.first?["reviewer"] as? String == "admin:ops")
            #expect(reviews.first?["unsafe"] as? Bool == false)

            let reviewed = try await client.get("/v1/audit/events?reviewed=true", token: Self.token)
            #expect((reviewed.json["events"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let stats = try await client.get("/v1/audit/stats", token: Self.token)
            #expect(stats.json["total"] as? Int == 3)
            #expect(stats.json["reviewed"] as? Int == 1)
        }
    }

    @Test("Unknown ids are 404; bad filters are 400 saying what is accepted")
    func badRequests() async throws {
        try await TestServer.run { client in
            let missing = try await client.get("/v1/audit/events/7E57AAAA-0000-0000-0000-000000000000", token: Self.token)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "event_not_found")
            let badDecision = try await client.get("/v1/audit/events?decision=maybe", token: Self.token)
            #expect(badDecision.status == .badRequest)
            #expect(badDecision.text.contains("allow, review or block"))
            let unknown = try await client.get("/v1/audit/events?colour=red", token: Self.token)
            #expect(unknown.status == .badRequest)
            let badCursor = try await client.get("/v1/audit/events?cursor=zzz", token: Self.token)
            #expect(badCursor.status == .badRequest)
        }
    }
}
