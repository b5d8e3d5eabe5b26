// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Warden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warden", targets: ["WardenCLI"]),
        // Every module a user of the library needs, one product each (see Docs/embedding.md and Examples/).
        .library(name: "WardenCore", targets: ["WardenCore"]),
        .library(name: "WardenTokenizer", targets: ["WardenTokenizer"]),
        .library(name: "WardenLanguage", targets: ["WardenLanguage"]),
        .library(name: "WardenModel", targets: ["WardenModel"]),
        .library(name: "WardenConfig", targets: ["WardenConfig"]),
        .library(name: "WardenTaxonomy", targets: ["WardenTaxonomy"]),
        .library(name: "WardenPolicy", targets: ["WardenPolicy"]),
        .library(name: "WardenPipeline", targets: ["WardenPipeline"]),
        .library(name: "WardenBackends", targets: ["WardenBackends"]),
        .library(name: "WardenAudit", targets: ["WardenAudit"]),
        .library(name: "WardenAuditPostgres", targets: ["WardenAuditPostgres"]),
        .library(name: "WardenEval", targets: ["WardenEval"]),
        .library(name: "WardenServer", targets: ["WardenServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The only C door to OpenBLAS; only WardenTensor imports it.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // swift-crypto's only door: ContentHash.
        .target(name: "WardenCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        .target(name: "WardenTensor", dependencies: ["CBLAS"], swiftSettings: strict),
        .target(name: "WardenTokenizer", dependencies: ["WardenCore"], swiftSettings: strict),
        // Which language a text is in: picks per-language thresholds and the model that judges it.
        .target(name: "WardenLanguage", dependencies: ["WardenCore"], swiftSettings: strict),
        .target(
            name: "WardenModel",
            dependencies: [
                "WardenCore", "WardenTensor", "WardenTokenizer",
            ],
            swiftSettings: strict
        ),
        .target(name: "WardenEval", dependencies: ["WardenCore"], swiftSettings: strict),
        .target(
            name: "WardenTraining",
            dependencies: ["WardenCore", "WardenTensor", "WardenModel", "WardenEval", "WardenTaxonomy", "WardenTokenizer"],
            swiftSettings: strict
        ),
        // Settings files read with their locations (YAML through Yams, its only door): taxonomy, policies, server.
        .target(name: "WardenConfig", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),
        .target(
            name: "WardenTaxonomy",
            dependencies: ["WardenCore", "WardenConfig"],
            swiftSettings: strict
        ),
        .target(
            name: "WardenPolicy",
            dependencies: [
                "WardenCore", "WardenTaxonomy", "WardenConfig",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WardenAudit",
            dependencies: [
                "WardenCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The audit store on PostgreSQL, for replicas that share one log; the only module importing PostgresNIO.
        .target(
            name: "WardenAuditPostgres",
            dependencies: [
                "WardenCore", "WardenAudit",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WardenPipeline",
            dependencies: [
                "WardenCore", "WardenTaxonomy", "WardenPolicy",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WardenBackends",
            dependencies: [
                "WardenCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // ByteBuffer and the connection errors AsyncHTTPClient throws (it does not re-export them).
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The HTTP service; the only module that imports Hummingbird (and bootstraps Prometheus).
        .target(
            name: "WardenServer",
            dependencies: [
                "WardenCore", "WardenTaxonomy", "WardenPolicy", "WardenPipeline", "WardenBackends", "WardenAudit",
                "WardenAuditPostgres", "WardenModel", "WardenLanguage", "WardenConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strict
        ),
        // Every benchmark's measuring code (encoder, tokenizer, audit writer, service load); the CLI only parses options.
        // The load test posts through WardenBackends, the package's one door to AsyncHTTPClient.
        .target(
            name: "WardenBench",
            dependencies: ["WardenCore", "WardenModel", "WardenTokenizer", "WardenAudit", "WardenBackends"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "WardenCLI",
            dependencies: [
                "WardenCore", "WardenTensor", "WardenTokenizer", "WardenModel", "WardenEval",
                "WardenTaxonomy", "WardenPolicy", "WardenAudit", "WardenAuditPostgres", "WardenTraining", "WardenPipeline",
                "WardenServer", "WardenLanguage", "WardenBench",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "WardenCoreTests", dependencies: ["WardenCore"]),
        .testTarget(name: "WardenTensorTests", dependencies: ["WardenTensor", "WardenTesting"]),
        // Test helpers shared by the test targets (the repository root, a gate, float closeness); never shipped.
        .target(name: "WardenTesting", path: "Tests/WardenTesting", swiftSettings: strict),
        .testTarget(name: "WardenLanguageTests", dependencies: ["WardenLanguage", "WardenCore"]),
        .testTarget(
            name: "WardenTokenizerTests", dependencies: ["WardenTokenizer", "WardenCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "WardenModelTests", dependencies: ["WardenModel", "WardenTensor", "WardenTokenizer", "WardenCore", "WardenTesting"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "WardenTrainingTests", dependencies: ["WardenTraining", "WardenModel", "WardenTensor", "WardenEval", "WardenCore", "WardenTokenizer"]),
        .testTarget(name: "WardenEvalTests", dependencies: ["WardenEval", "WardenCore"]),
        .testTarget(name: "WardenConfigTests", dependencies: ["WardenConfig"]),
        .testTarget(name: "WardenTaxonomyTests", dependencies: ["WardenTaxonomy", "WardenConfig", "WardenTesting"]),
        .testTarget(name: "WardenPolicyTests", dependencies: ["WardenPolicy", "WardenTaxonomy", "WardenEval", "WardenTesting"]),
        .testTarget(
            name: "WardenAuditTests",
            dependencies: [
                "WardenAudit", "WardenAuditPostgres", "WardenEval", "WardenCore",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // A fake OpenAI chat server on 127.0.0.1 for the backend and pipeline tests (test-only code;
        // a library target because two test targets share it).
        .target(
            name: "FakeOpenAIServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FakeOpenAIServer",
            swiftSettings: strict
        ),
        .testTarget(
            name: "WardenPipelineTests",
            dependencies: [
                "WardenPipeline", "WardenBackends", "WardenPolicy", "WardenTaxonomy", "WardenCore", "FakeOpenAIServer", "WardenTesting",
                .product(name: "Logging", package: "swift-log"), .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "WardenBackendsTests", dependencies: ["WardenBackends", "WardenCore", "FakeOpenAIServer"]),
        .testTarget(
            name: "WardenServerTests",
            dependencies: [
                "WardenServer", "WardenPipeline", "WardenBackends", "WardenPolicy", "WardenTaxonomy", "WardenAudit",
                "WardenCore", "WardenModel", "WardenLanguage", "WardenTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
