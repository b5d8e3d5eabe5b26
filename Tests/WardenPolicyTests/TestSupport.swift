import Foundation
import WardenCore
import WardenPolicy
import WardenTaxonomy
import WardenTesting

/// The shipped taxonomy; the engine tests use real IDs, codes and groups.
let shippedTaxonomy: HazardTaxonomy = {
    do {
        return try TaxonomyLoader.load(from: repositoryRoot.appendingPathComponent("Taxonomy/mlcommons-v1.yaml"))
    } catch {
        preconditionFailure("the shipped taxonomy must load: \(error)")
    }
}()

/// Loads a policy body written under a standard header.
func makePolicy(_ body: String, file: String = "test.yaml") throws -> Policy {
    let text = "id: test\ntaxonomy: mlcommons-v1\n" + body
    return try PolicyLoader.load(data: Data(text.utf8), file: file, taxonomy: shippedTaxonomy)
}

func makeEngine(_ body: String) throws -> PolicyEngine {
    PolicyEngine(policy: try makePolicy(body), taxonomy: shippedTaxonomy)
}

func input(_ text: String) -> ClassificationInput { ClassificationInput(text: text) }

func output(prompt: String = "question", response: String) -> ClassificationInput {
    ClassificationInput(conversation: Conversation(prompt: prompt, response: response), direction: .output)
}

/// A temporary directory removed when the value is dropped by the test.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("warden-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: url.appendingPathComponent(name))
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(at: url.appendingPathComponent(name))
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// An embedder that returns fixed vectors per text (normalized), and counts its calls.
final class TableEmbedder: TextEmbedder, @unchecked Sendable {
    let table: [String: [Float]]
    let dimension: Int
    private let lock = NSLock()
    private var _calls = 0
    var calls: Int { lock.withLock { _calls } }

    init(_ table: [String: [Float]]) {
        self.table = table.mapValues(normalized)
        dimension = table.values.first?.count ?? 0
    }

    func embed(_ texts: [String]) async throws -> [[Float]] {
        lock.withLock { _calls += 1 }
        return try texts.map { text in
            guard let vector = table[text] else { throw ClassifierError.unavailable("no vector for '\(text)'") }
            return vector
        }
    }
}

/// A deterministic bag-of-words embedder: each word (lowercased letters) adds 1 to a hashed dimension.
struct BagOfWordsEmbedder: TextEmbedder {
    let dimension = 256

    func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map { text in
            var vector = [Float](repeating: 0, count: dimension)
            let words = text.lowercased().split { !$0.isLetter }
            for word in words { vector[Int(fnv1a(word) % UInt64(dimension))] += 1 }
            return normalized(vector)
        }
    }

    private func fnv1a(_ word: Substring) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

func normalized(_ vector: [Float]) -> [Float] {
    let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return norm == 0 ? vector : vector.map { $0 / norm }
}
