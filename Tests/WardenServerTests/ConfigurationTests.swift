import Foundation
import Testing
import WardenTaxonomy
@testable import WardenServer

@Suite("Server settings: file, environment, flags")
struct ConfigurationTests {
    static func write(_ text: String, name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("warden-config-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static let yaml = """
        server: { host: 0.0.0.0, port: 9000, max_body_bytes: 2048 }
        model: { bundle: /models/m, workers: 3 }
        taxonomy: Taxonomy/mlcommons-v1.yaml
        policies: { directory: /etc/warden/policies, default: strict }
        backend: { url: http://127.0.0.1:8081, model: llama }
        batching: { max_batch: 16, max_wait_ms: 5, queue_capacity: 100 }
        api_keys:
          - { id: app, key: sk-1, default_policy: default, allowed_policies: [default, strict] }
        admin_tokens:
          - { id: ops, token: adm-1 }
        """

    @Test("A YAML file sets everything; the environment overrides it and flags override both")
    func layering() throws {
        let file = try Self.write(Self.yaml, name: "warden.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ConfigurationLayer.environment(["WARDEN_PORT": "9100", "WARDEN_BACKEND_API_KEY": "sk-up", "HOME": "/root"])
        let flags = ConfigurationLayer(values: ["WARDEN_PORT": "9200", "WARDEN_BACKEND_URL": "echo"]) { "flag \($0)" }

        let fileOnly = try ServerConfiguration.resolve(file: file, layers: [])
        #expect(fileOnly.host == "0.0.0.0")
        #expect(fileOnly.port == 9000)
        #expect(fileOnly.maxBodyBytes == 2048)
        #expect(fileOnly.modelPath == "/models/m")
        #expect(fileOnly.modelWorkers == 3)
        #expect(fileOnly.taxonomyPath == "Taxonomy/mlcommons-v1.yaml")
        #expect(fileOnly.defaultPolicy == "strict")
        #expect(fileOnly.backend == .openAICompatible(url: "http://127.0.0.1:8081", model: "llama", apiKey: nil))
        #expect(fileOnly.batching == BatchingOptions(maxBatchSize: 16, maxWait: .milliseconds(5), queueCapacity: 100))
        #expect(fileOnly.clientKeys == [ClientKey(id: "app", key: "sk-1", defaultPolicy: "default", allowedPolicies: ["default", "strict"])])
        #expect(fileOnly.adminTokens == [AdminToken(id: "ops", token: "adm-1")])

        let withEnvironment = try ServerConfiguration.resolve(file: file, layers: [environment])
        #expect(withEnvironment.port == 9100)
        #expect(withEnvironment.backend == .openAICompatible(url: "http://127.0.0.1:8081", model: "llama", apiKey: "sk-up"))

        let withFlags = try ServerConfiguration.resolve(file: file, layers: [environment, flags])
        #expect(withFlags.port == 9200)
        #expect(withFlags.backend == .echo)
    }

    @Test("JSON settings files work too")
    func json() throws {
        let file = try Self.write(#"{"server": {"port": 7000}, "admin_tokens": [{"id": "a", "token": "t"}]}"#, name: "warden.json")
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try ServerConfiguration.resolve(file: file, layers: [])
        #expect(configuration.port == 7000)
        #expect(configuration.adminTokens == [AdminToken(id: "a", token: "t")])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.backend == nil)
    }

    @Test("Keys and tokens from the environment")
    func environmentKeys() throws {
        let environment = ConfigurationLayer.environment([
            "WARDEN_API_KEYS": "app:sk-1:default:strict+open, ci:sk-2", "WARDEN_ADMIN_TOKENS": "ops:adm-1,bare-token",
        ])
        let configuration = try ServerConfiguration.resolve(file: nil, layers: [environment])
        #expect(configuration.clientKeys == [
            ClientKey(id: "app", key: "sk-1", defaultPolicy: "default", allowedPolicies: ["strict", "open"]),
            ClientKey(id: "ci", key: "sk-2"),
        ])
        #expect(configuration.adminTokens == [AdminToken(id: "ops", token: "adm-1"), AdminToken(id: "admin-2", token: "bare-token")])
    }

    @Test("Errors name the file and key, the variable or the flag")
    func errors() throws {
        let file = try Self.write("server: { port: eighty }\n", name: "bad.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            try ServerConfiguration.resolve(file: file, layers: [])
        } throws: { "\($0)".contains("bad.yaml: server.port") && "\($0)".contains("eighty") }

        let typo = try Self.write("server: { prot: 80 }\n", name: "typo.yaml")
        defer { try? FileManager.default.removeItem(at: typo) }
        #expect { try ServerConfiguration.resolve(file: typo, layers: []) } throws: { "\($0)".contains("did you mean 'port'") }

        #expect {
            try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_MAX_BATCH": "0"])])
        } throws: { "\($0)".contains("environment variable WARDEN_MAX_BATCH") }
        #expect {
            try ServerConfiguration.resolve(file: nil, layers: [ConfigurationLayer(values: ["WARDEN_API_KEYS": "justone"]) { _ in "flag --api-keys" }])
        } throws: { "\($0)".contains("flag --api-keys") }
        #expect {
            try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_API_KEYS": "a:same", "WARDEN_ADMIN_TOKENS": "o:same"])])
        } throws: { "\($0)".contains("also a client key") }
    }

    @Test("Language routes read from the file and the environment; a wrong route names where it was written")
    func routes() throws {
        let file = try Self.write("model: { route: 'fr,de=/models/multi; th=/models/thai' }\n", name: "routes.yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try ServerConfiguration.resolve(file: file, layers: [])
        #expect(configuration.modelRoutes == [
            LanguageRoute(languages: ["fr", "de"], bundle: "/models/multi"), LanguageRoute(languages: ["th"], bundle: "/models/thai"),
        ])
        #expect(configuration.modelRoutesGiven)
        let off = try ServerConfiguration.resolve(file: file, layers: [.environment(["WARDEN_MODEL_ROUTE": ""])])
        #expect(off.modelRoutes.isEmpty)
        // Set to nothing still counts as given, so `warden serve` adds no default route; unset does not.
        #expect(off.modelRoutesGiven)
        #expect(try !ServerConfiguration.resolve(file: nil, layers: []).modelRoutesGiven)
        #expect {
            try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_MODEL_ROUTE": "klingon=/models/multi"])])
        } throws: { "\($0)".contains("environment variable WARDEN_MODEL_ROUTE") && "\($0)".contains("LANGUAGES=BUNDLE") }
        #expect {
            try ServerConfiguration.resolve(file: nil, layers: [.environment(["WARDEN_MODEL_ROUTE": "fr,de"])])
        } throws: { "\($0)".contains("fr,de") }
    }
}
