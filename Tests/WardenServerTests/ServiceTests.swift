import Foundation
import Synchronization
import HummingbirdTesting
import Testing
import WardenAudit
import WardenCore
@testable import WardenServer

@Suite("Health, readiness, metrics and a real socket")
struct ServiceTests {
    @Test("healthz answers; readyz reports model, policies and audit")
    func healthAndReadiness() async throws {
        try await TestServer.run { client in
            let health = try await client.get("/healthz")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            let ready = try await client.get("/readyz")
            #expect(ready.status == .ok)
            let checks = try #require(ready.json["checks"] as? [String: [String: Any]])
            #expect(Set(checks.keys) == ["model", "policies", "audit"])
            #expect(checks.values.allSatisfy { $0["ok"] as? Bool == true })
        }
    }

    @Test("deleting the default policy's file keeps its last version serving (and startup refuses without one)")
    func defaultPolicySurvivesDeletion() async throws {
        let directory = Mutex<URL?>(nil)
        try await TestServer.run(configure: { configuration, root in
            TestServer.withKeysIfNone(&configuration)
            directory.withLock { $0 = root }
        }) { client in
            #expect(try await client.get("/readyz").status == .ok)
            let policies = try #require(directory.withLock { $0 }).appendingPathComponent("Policies")
            try FileManager.default.removeItem(at: policies.appendingPathComponent("default.yaml"))
            // The strict policy's file goes too: it is nobody's default, so it is removed (the reload has happened).
            try FileManager.default.removeItem(at: policies.appendingPathComponent("strict.yaml"))
            #expect(try await eventually {
                try await client.post("/v1/guard/check", json: #"{"messages": [{"role": "user", "content": "hi"}], "policy": "strict"}"#)
                    .status == .notFound
            })
            let check = try await client.post("/v1/guard/check", json: #"{"messages": [{"role": "user", "content": "hi"}]}"#)
            #expect(check.status == .ok, "the default policy must stay in force: \(check.text)")
            #expect(try await client.get("/readyz").status == .ok)
        }
        await #expect {
            try await TestServer.run(configure: { configuration, _ in configuration.defaultPolicy = "missing" }) { _ in }
        } throws: { "\($0)".contains("the default policy 'missing' is not loaded") }
    }

    @Test("metrics count requests by route pattern and status, decisions and batch sizes")
    func metrics() async throws {
        try await TestServer.run { client in
            _ = try await client.post("/v1/moderations", json: #"{"input": ["hello", "how to kill"]}"#)
            _ = try await client.post("/v1/moderations", json: #"{"input": ""}"#)
            _ = try await client.get("/v1/audit/events/abcd", token: "wrong")
            let text = try await client.get("/metrics").text
            #expect(text.contains(#"warden_http_requests_total{route="/v1/moderations",method="POST",status="200"} 1"#))
            #expect(text.contains(#"warden_http_requests_total{route="/v1/moderations",method="POST",status="422"} 1"#))
            #expect(text.contains(#"warden_http_requests_total{route="/v1/audit/events/{id}",method="GET",status="401"} 1"#))
            #expect(text.contains(#"warden_decisions_total{endpoint="moderations",decision="block"} 1"#))
            #expect(text.contains(#"warden_category_flags_total{category="violent_crimes",endpoint="moderations"} 1"#))
            #expect(text.contains("warden_batch_windows_count 1"))
            #expect(text.contains("warden_batch_windows_sum 2.0"))
            #expect(text.contains("warden_http_request_duration_seconds_bucket"))
            #expect(text.contains("warden_audit_queue_depth"))
            #expect(text.contains(#"warden_guard_decisions_total{decision="block",direction="input",source="model",policy="default"} 1"#))
            #expect(text.contains("warden_guard_check_duration_seconds_bucket"))
            #expect(try await eventually { try await client.get("/metrics").text.contains("warden_audit_written_events_total 2") })
        }
    }

    @Test("every metric family follows Prometheus conventions: help text, _total counters, durations in seconds")
    func metricConventions() async throws {
        try await TestServer.run { client in
            _ = try await client.post("/v1/moderations", json: #"{"input": ["hello", "how to kill"]}"#)
            _ = try await client.post("/v1/moderations", json: #"{"input": "x", "policy": "nope"}"#)
            _ = try await client.post("/v1/guard/check", json: #"{"messages": [{"role": "user", "content": "a bomb"}]}"#)
            let lines = try await client.get("/metrics").text.split(separator: "\n").map(String.init)
            var helped: Set<String> = []
            var families: [String: String] = [:]
            for line in lines {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                if parts.count >= 3, parts[0] == "#", parts[1] == "HELP" { helped.insert(parts[2]) }
                if parts.count >= 4, parts[0] == "#", parts[1] == "TYPE" { families[parts[2]] = parts[3] }
            }
            #expect(families.count >= 15)
            for (name, kind) in families {
                #expect(helped.contains(name), "\(name) has no HELP")
                #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(name) is not snake_case")
                #expect(name.hasPrefix("warden_"), "\(name) is not under warden_")
                if kind == "counter" { #expect(name.hasSuffix("_total"), "counter \(name)") }
                if name.contains("duration") { #expect(name.hasSuffix("_seconds") && kind == "histogram", "\(name)") }
                if name.contains("_events") || name.contains("failed_writes") { #expect(kind == "counter", "\(name) counts events") }
            }
        }
    }

    @Test("A graceful shutdown writes every queued audit event before returning")
    func shutdownDrainsAudit() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("warden-drain-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestServer.run(auditPath: path) { client async throws in
            for index in 0..<20 {
                #expect(try await client.post("/v1/moderations", json: jsonText(["input": ["text \(index)", "more \(index)"]])).status == .ok)
            }
        }
        // No waiting: the writer drained during shutdown.
        #expect(try await SQLiteAuditStore(path: path).count() == 40)
    }

    @Test("Smoke test on a real socket: moderation and health over HTTP")
    func liveSocket() async throws {
        try await TestServer.run(.live) { client in
            #expect(client.port != nil)
            let health = try await client.get("/healthz")
            #expect(health.status == .ok)
            let response = try await client.post("/v1/moderations", json: #"{"input": ["hello", "a bomb"]}"#)
            #expect(response.status == .ok)
            let results = try #require(response.json["results"] as? [[String: Any]])
            #expect(results.map { $0["flagged"] as? Bool } == [false, true])
        }
    }
}
