import Foundation
import WardenCore
import WardenTokenizer

/// `manifest.json` of a model bundle: everything needed to rebuild the classifier around the base
/// encoder, and the provenance that makes its numbers checkable.
public struct ModelManifest: Codable, Sendable, Hashable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Stable model identifier recorded in audit events, e.g. `warden-minilm-frozen`.
    public var id: String
    public var version: String
    public var description: String
    public var base: BaseReference
    /// Output labels in order; `unsafe` first.
    public var labels: [String]
    /// Tokens per window, specials included.
    public var maxLength: Int
    /// Tokens shared by consecutive windows of a long input.
    public var windowOverlap: Int
    public var pooling: Pooling
    public var head: HeadSpec
    /// Weight deltas or low-rank adapters over the base encoder, when the encoder was fine-tuned.
    public var encoderDelta: String?
    /// Platt scaling per label: p = sigmoid(scale * logit + bias).
    public var calibration: [String: Calibration]
    /// The operating threshold of each label, for evaluation and as a policy's default.
    public var thresholds: [String: Double]
    /// How `thresholds` were chosen (target, benign sources, what they achieved), when they were chosen for a
    /// false-positive target rather than left at 0.5.
    public var operatingPoint: ShippedThresholds?
    /// Thresholds for one language (ISO 639-1 code, then label) where the shared threshold does not hold; absent
    /// for most bundles. Applied by WardenLanguage's `LanguageAwareClassifier`.
    public var languageThresholds: [String: [String: Double]]?
    public var normalization: NormalizationSpec
    public var trainingData: [DataFile]
    /// Free-form validation figures copied from `warden eval`.
    public var validationMetrics: [String: Double]

    public init(
        formatVersion: Int = ModelManifest.currentFormatVersion, id: String, version: String, description: String,
        base: BaseReference, labels: [String], maxLength: Int, windowOverlap: Int, pooling: Pooling, head: HeadSpec,
        encoderDelta: String? = nil, calibration: [String: Calibration], thresholds: [String: Double],
        normalization: NormalizationSpec, trainingData: [DataFile], validationMetrics: [String: Double]
    ) {
        self.formatVersion = formatVersion
        self.id = id
        self.version = version
        self.description = description
        self.base = base
        self.labels = labels
        self.maxLength = maxLength
        self.windowOverlap = windowOverlap
        self.pooling = pooling
        self.head = head
        self.encoderDelta = encoderDelta
        self.calibration = calibration
        self.thresholds = thresholds
        self.normalization = normalization
        self.trainingData = trainingData
        self.validationMetrics = validationMetrics
    }

    public struct BaseReference: Codable, Sendable, Hashable {
        public var package: String
        public var version: String
        public var sha256: [String: String]
        /// The base's `--base` name (absent in bundles written before there were two bases: MiniLM).
        public var name: String?
        /// The tokenizer family of the base (absent in older bundles: WordPiece).
        public var tokenizer: TokenizerFamily?
        public init(package: String, version: String, sha256: [String: String], name: String? = nil, tokenizer: TokenizerFamily? = nil) {
            self.package = package
            self.version = version
            self.sha256 = sha256
            self.name = name
            self.tokenizer = tokenizer
        }
    }

    public struct Pooling: Codable, Sendable, Hashable {
        /// 1-based encoder layers whose mean-pooled outputs are concatenated (6 = last layer).
        public var layers: [Int]
        public init(layers: [Int]) { self.layers = layers }
    }

    public struct HeadSpec: Codable, Sendable, Hashable {
        /// safetensors file, relative to the bundle.
        public var file: String
        /// Width of the hidden layer, or 0 for a linear head.
        public var hiddenSize: Int
        public var inputSize: Int
        public init(file: String, hiddenSize: Int, inputSize: Int) {
            self.file = file
            self.hiddenSize = hiddenSize
            self.inputSize = inputSize
        }
    }

    /// Platt scaling of one label's logit (JSON `{"scale", "bias"}`).
    public typealias Calibration = PlattCalibration

    public struct NormalizationSpec: Codable, Sendable, Hashable {
        public var nfkc: Bool
        public var foldHomoglyphs: Bool
        public var foldLeetspeak: Bool
        public var joinSpacedLetters: Bool
        public init(nfkc: Bool = true, foldHomoglyphs: Bool = true, foldLeetspeak: Bool = true, joinSpacedLetters: Bool = true) {
            self.nfkc = nfkc
            self.foldHomoglyphs = foldHomoglyphs
            self.foldLeetspeak = foldLeetspeak
            self.joinSpacedLetters = joinSpacedLetters
        }
    }

    public struct DataFile: Codable, Sendable, Hashable {
        public var file: String
        public var sha256: String
        public var items: Int
        public init(file: String, sha256: String, items: Int) {
            self.file = file
            self.sha256 = sha256
            self.items = items
        }
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", id, version, description, base, labels
        case maxLength = "max_length", windowOverlap = "window_overlap", pooling, head
        case encoderDelta = "encoder_delta", calibration, thresholds, operatingPoint = "operating_point", normalization
        case languageThresholds = "language_thresholds"
        case trainingData = "training_data", validationMetrics = "validation_metrics"
    }
}

extension ModelManifest.HeadSpec {
    enum CodingKeys: String, CodingKey { case file, hiddenSize = "hidden_size", inputSize = "input_size" }
}

extension ModelManifest.NormalizationSpec {
    enum CodingKeys: String, CodingKey {
        case nfkc, foldHomoglyphs = "fold_homoglyphs", foldLeetspeak = "fold_leetspeak", joinSpacedLetters = "join_spaced_letters"
    }
}

public enum ModelBundleError: Error, LocalizedError, Equatable {
    case unreadable(path: String, reason: String)
    case invalid(path: String, key: String, reason: String)
    case baseMismatch(bundle: String, file: String, expected: String, actual: String)

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let reason):
            "Cannot read the model bundle at \(path): \(reason)"
        case .invalid(let path, let key, let reason):
            "\(path): \(key): \(reason)"
        case .baseMismatch(let bundle, let file, let expected, let actual):
            "The model bundle \(bundle) was trained on a base \(file) with sha256 \(expected), but the cached base has \(actual). "
                + "Run `warden model fetch --force`, or use a bundle trained on this base."
        }
    }
}

extension ModelManifest {
    /// Reads and checks `manifest.json` in `directory`.
    public static func load(from directory: URL) throws -> ModelManifest {
        let url = directory.appendingPathComponent("manifest.json")
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ModelBundleError.unreadable(path: url.path, reason: "no manifest.json (is this a model bundle folder?)")
        }
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: data) } catch let error as DecodingError {
            throw ModelBundleError.invalid(path: url.path, key: error.codingPathDescription, reason: error.shortDescription)
        }
        try manifest.validate(path: url.path)
        return manifest
    }

    func validate(path: String) throws {
        guard formatVersion == Self.currentFormatVersion else {
            throw ModelBundleError.invalid(path: path, key: "format_version",
                                           reason: "\(formatVersion) is not supported (this Warden reads \(Self.currentFormatVersion))")
        }
        guard labels.first == "unsafe" else {
            throw ModelBundleError.invalid(path: path, key: "labels", reason: "the first label must be `unsafe`")
        }
        guard Set(labels).count == labels.count else {
            throw ModelBundleError.invalid(path: path, key: "labels", reason: "labels must be unique")
        }
        guard maxLength >= 8, windowOverlap >= 0, windowOverlap < maxLength - 3 else {
            throw ModelBundleError.invalid(path: path, key: "window_overlap",
                                           reason: "must be at least 0 and smaller than max_length - 3")
        }
        guard !pooling.layers.isEmpty else {
            throw ModelBundleError.invalid(path: path, key: "pooling.layers", reason: "name at least one layer")
        }
        for label in calibration.keys where !labels.contains(label) {
            throw ModelBundleError.invalid(path: path, key: "calibration.\(label)", reason: "not one of the bundle's labels")
        }
        for (language, thresholds) in languageThresholds ?? [:] {
            for (label, threshold) in thresholds {
                let key = "language_thresholds.\(language).\(label)"
                guard labels.contains(label) else { throw ModelBundleError.invalid(path: path, key: key, reason: "not one of the bundle's labels") }
                guard threshold > 0 && threshold < 1 else { throw ModelBundleError.invalid(path: path, key: key, reason: "must lie strictly between 0 and 1") }
            }
        }
    }

    public func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: directory.appendingPathComponent("manifest.json"), options: .atomic)
    }
}

extension DecodingError {
    var codingPathDescription: String {
        let path: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        @unknown default: path = []
        }
        return codingPathText(path)
    }

    var shortDescription: String {
        switch self {
        case .keyNotFound: "missing"
        case .typeMismatch(let type, _): "expected \(type)"
        case .valueNotFound(let type, _): "expected a \(type), found null"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "invalid"
        }
    }
}

extension ModelManifest.NormalizationSpec {
    /// The tokenizer-side normaliser options this bundle was trained with.
    public var options: TextNormalizer.Options {
        var options = TextNormalizer.Options.default
        options.compatibilityFolding = nfkc
        options.foldHomoglyphs = foldHomoglyphs
        options.foldLeetspeak = foldLeetspeak
        options.joinSpacedLetters = joinSpacedLetters
        return options
    }
}
