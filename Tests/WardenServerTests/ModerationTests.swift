import Foundation
import Synchronization
import Hummingbird
import HummingbirdTesting
import Testing
import WardenCore
import WardenTaxonomy
@testable import WardenServer
import WardenTesting

@Suite("Moderation and guard check routes")
struct ModerationTests {
    @Test("A safe string gets OpenAI's shape with every category name present, and Warden's verdict")
    func safeString() async throws {
        try await TestServer.run { client in
            let response = try await client.post("/v1/moderations", json: #"{"input": "What is the capital of France?"}"#)
            #expect(response.status == .ok)
            let json = response.json
            #expect((json["id"] as? String)?.hasPrefix("modr-") == true)
            #expect(json["model"] as? String == "keyword-test-model@1")
            let results = try #require(json["results"] as? [[String: Any]])
            #expect(results.count == 1)
            let result = results[0]
            #expect(result["flagged"] as? Bool == false)
            let categories = try #require(result["categories"] as? [String: Bool])
            let scores = try #require(result["category_scores"] as? [String: Double])
            #expect(Set(categories.keys) == Set(OpenAIModerationCategory.all))
            #expect(Set(scores.keys) == Set(OpenAIModerationCategory.all))
            #expect(categories.values.allSatisfy { !$0 })
            let warden = try #require(result["warden"] as? [String: Any])
            #expect(warden["decision"] as? String == "allow")
            #expect(warden["policy"] as? String == "default")
            #expect((warden["audit_id"] as? String).flatMap(UUID.init(uuidString:)) != nil)
        }
    }

    @Test("An array keeps its order; a violent input flags violence and its aliases, with scores and codes")
    func arrayInput() async throws {
        try await TestServer.run { client in
            let response = try await client.post(
                "/v1/moderations", json: jsonText(["input": ["hello there", "how do I kill my neighbour", "a dose of ibuprofen"]]))
            #expect(response.status == .ok)
            let results = try #require(response.json["results"] as? [[String: Any]])
            #expect(results.map { $0["flagged"] as? Bool } == [false, true, true])

            let violent = results[1]
            let categories = try #require(violent["categories"] as? [String: Bool])
            #expect(categories["violence"] == true)
            #expect(categories["illicit/violent"] == true)
            #expect(categories["hate"] == false)
            let scores = try #require(violent["category_scores"] as? [String: Double])
            #expect(scores["violence"] == 0.9)
            let warden = try #require(violent["warden"] as? [String: Any])
            #expect(warden["decision"] as? String == "block")
            #expect(warden["categories"] as? [String] == ["violent_crimes"])
            #expect(warden["llama_guard_codes"] as? [String] == ["S1"])

            let review = try #require(results[2]["warden"] as? [String: Any])
            #expect(review["decision"] as? String == "review")
            #expect(response.headers[HTTPFields.Element.Name("Warden-Decision")!] == "block")
        }
    }

    @Test("Review and block read the same in flagged, safe and the Llama Guard text; Warden-Decision tells them apart")
    func reviewIsDistinguishable() async throws {
        try await TestServer.run { client in
            let review = try await client.post("/v1/moderations", json: jsonText(["input": "a dose of ibuprofen"]))
            #expect((review.json["results"] as? [[String: Any]])?.first?["flagged"] as? Bool == true)
            #expect(review.headers[HTTPFields.Element.Name("Warden-Decision")!] == "review")
            let clean = try await client.post("/v1/moderations", json: jsonText(["input": ["hello", "good day"]]))
            #expect(clean.headers[HTTPFields.Element.Name("Warden-Decision")!] == "allow")
            let check = try await client.post("/v1/guard/check", json: jsonText(["messages": [["role": "user", "content": "a dose of ibuprofen"]]]))
            #expect(check.json["safe"] as? Bool == false)
            #expect(check.json["decision"] as? String == "review")
            #expect(check.headers[HTTPFields.Element.Name("Warden-Decision")!] == "review")
        }
    }

    @Test("Concurrent requests share forward passes")
    func batching() async throws {
        let gate = Gate()
        let classifier = KeywordClassifier(gate: gate)
        try await TestServer.run(classifier: classifier) { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                // The first request holds the model; the next five queue up behind it.
                group.addTask { try await client.post("/v1/moderations", json: #"{"input": "first"}"#).status.code }
                #expect(try await eventually { classifier.batches.count == 1 })
                for index in 0..<5 {
                    group.addTask { try await client.post("/v1/moderations", json: jsonText(["input": "queued \(index)"])).status.code }
                }
                #expect(try await eventually { try await client.get("/metrics").text.contains("warden_batch_queue_depth 5") })
                gate.open()
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == Array(repeating: 200, count: 6))
            }
            #expect(classifier.batches.map(\.count) == [1, 5])
        }
    }

    @Test("Guard check: output direction, Llama Guard text, audit id")
    func guardCheckOutput() async throws {
        try await TestServer.run { client in
            let body = jsonText([
                "messages": [
                    ["role": "user", "content": "tell me about my neighbour"],
                    ["role": "assistant", "content": "you could kill him with a bomb"],
                ]
            ])
            let response = try await client.post("/v1/guard/check", json: body)
            #expect(response.status == .ok)
            let json = response.json
            #expect(json["decision"] as? String == "block")
            #expect(json["safe"] as? Bool == false)
            #expect(json["direction"] as? String == "output")
            #expect(json["llama_guard"] as? String == "unsafe\nS1,S9")
            #expect(json["categories"] as? [String] == ["indiscriminate_weapons", "violent_crimes"])
            #expect((json["audit_id"] as? String).flatMap(UUID.init(uuidString:)) != nil)
            #expect((json["violations"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test("Guard check: a safe input says safe; the policy field picks the policy")
    func guardCheckSafe() async throws {
        try await TestServer.run { client in
            let response = try await client.post(
                "/v1/guard/check",
                json: jsonText(["messages": [["role": "user", "content": "hello"]], "direction": "input", "policy": "strict"]))
            #expect(response.status == .ok)
            #expect(response.json["llama_guard"] as? String == "safe")
            #expect(response.json["safe"] as? Bool == true)
            #expect(response.json["policy"] as? String == "strict")
        }
    }

    @Test("Policies are hot-reloaded: a policy file added while serving is usable")
    func hotReload() async throws {
        let directory = Mutex<URL?>(nil)
        try await TestServer.run(configure: { configuration, root in
            TestServer.withKeysIfNone(&configuration)
            directory.withLock { $0 = root }
        }) { client in
            let first = try await client.post("/v1/moderations", json: #"{"input": "hi", "policy": "late"}"#)
            #expect(first.status == .notFound)
            #expect(first.errorCode == "policy_not_found")
            let file = try #require(directory.withLock { $0 }).appendingPathComponent("Policies/late.yaml")
            try TestServer.policy(id: "late").write(to: file, atomically: true, encoding: .utf8)
            #expect(try await eventually {
                try await client.post("/v1/moderations", json: #"{"input": "hi", "policy": "late"}"#).status == .ok
            })
        }
    }
}
