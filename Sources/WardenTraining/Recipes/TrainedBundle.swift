import Foundation
import WardenCore
import WardenModel
import WardenTokenizer

/// Writes what a training run produced as a model bundle folder: the head, the encoder delta (fine-tuning) and
/// `manifest.json`. One home for the manifest both training commands write.
public struct TrainedBundle {
    public var id: String
    public var version: String
    /// The base encoder it was trained on, and its tokenizer family.
    public var base: ModelManifest.BaseReference
    /// Every data file with its sha256 and items (the caller knows the files).
    public var trainingData: [ModelManifest.DataFile]

    public init(id: String, version: String, base: ModelManifest.BaseReference, trainingData: [ModelManifest.DataFile]) {
        self.id = id
        self.version = version
        self.base = base
        self.trainingData = trainingData
    }

    /// Writes the bundle into `folder` (created if missing). Thresholds start at 0.5 for every label;
    /// `warden train threshold` chooses them for a false-positive target afterwards.
    public func write(
        to folder: URL, description: String, head: ClassifierHead, delta: EncoderDelta?, labels: [String], maxLength: Int,
        pooledLayers: [Int], calibration: [String: PlattCalibration], normalization: ModelManifest.NormalizationSpec,
        metrics: [String: Double]
    ) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try head.write(to: folder.appendingPathComponent(Self.headFile))
        if let delta { try delta.write(to: folder.appendingPathComponent(Self.deltaFile)) }
        let manifest = ModelManifest(
            id: id, version: version, description: description, base: base, labels: labels, maxLength: maxLength,
            windowOverlap: ModelInputBuilder.standardOverlap(maxLength: maxLength), pooling: .init(layers: pooledLayers),
            head: .init(file: Self.headFile, hiddenSize: head.hiddenSize, inputSize: head.inputSize),
            encoderDelta: delta == nil ? nil : Self.deltaFile, calibration: calibration,
            thresholds: Dictionary(uniqueKeysWithValues: labels.map { ($0, 0.5) }),
            normalization: normalization, trainingData: trainingData, validationMetrics: metrics.filter { $0.value.isFinite })
        try manifest.write(to: folder)
    }

    static let headFile = "head.safetensors"
    static let deltaFile = "encoder_delta.safetensors"
}
