// swift-tools-version: 6.1
// A package that uses Warden as a library, by path: a guarded chat backend in a few lines.
import PackageDescription

let package = Package(
    name: "GuardedChat",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Warden", path: "../..")],
    targets: [
        .executableTarget(
            name: "GuardedChat",
            dependencies: [
                .product(name: "WardenPipeline", package: "Warden"),
                .product(name: "WardenBackends", package: "Warden"),
                .product(name: "WardenModel", package: "Warden"),
                .product(name: "WardenPolicy", package: "Warden"),
                .product(name: "WardenTaxonomy", package: "Warden"),
                .product(name: "WardenAudit", package: "Warden"),
                .product(name: "WardenCore", package: "Warden"),
            ]
        )
    ]
)
