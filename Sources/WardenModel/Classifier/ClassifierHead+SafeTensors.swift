import Foundation
import WardenTensor

extension ClassifierHead {
    /// Reads a head written by ``write(to:)``; shapes are checked against the manifest.
    public static func load(from url: URL, spec: ModelManifest.HeadSpec, labels: Int) throws -> ClassifierHead {
        let file = try SafeTensorsFile(contentsOf: url)
        let input = spec.inputSize
        let mean = try file.floats("feature_mean", shape: [input])
        let scale = try file.floats("feature_scale", shape: [input])
        if spec.hiddenSize == 0 {
            return ClassifierHead(
                featureMean: mean, featureScale: scale,
                w1: try file.matrix("w1", rows: input, columns: labels), b1: try file.floats("b1", shape: [labels]),
                w2: Matrix(rows: 0, columns: 0), b2: [])
        }
        return ClassifierHead(
            featureMean: mean, featureScale: scale,
            w1: try file.matrix("w1", rows: input, columns: spec.hiddenSize), b1: try file.floats("b1", shape: [spec.hiddenSize]),
            w2: try file.matrix("w2", rows: spec.hiddenSize, columns: labels), b2: try file.floats("b2", shape: [labels]))
    }

    public func write(to url: URL) throws {
        var tensors: [SafeTensorsWriter.Tensor] = [
            .init(name: "feature_mean", shape: [inputSize], values: featureMean),
            .init(name: "feature_scale", shape: [inputSize], values: featureScale),
            .init(name: "w1", matrix: w1),
            .init(name: "b1", shape: [b1.count], values: b1),
        ]
        if !isLinear {
            tensors += [.init(name: "w2", matrix: w2), .init(name: "b2", shape: [b2.count], values: b2)]
        }
        try SafeTensorsWriter.write(tensors, metadata: ["format": "warden-head-v1"], to: url)
    }
}
