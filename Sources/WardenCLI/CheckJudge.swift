import Foundation
import Logging
import WardenCore
import WardenModel
import WardenPipeline
import WardenPolicy
import WardenServer
import WardenTaxonomy

/// `warden check`'s path to a verdict: the same ``Guard`` the service runs (limits, deny and allow lists, custom
/// categories, the model's operating thresholds, `on_error`), with the policy folder loaded as the service loads it,
/// and no audit store (a dry run records nothing).
struct CheckJudge {
    let guardStage: Guard
    let policyID: String

    /// - Parameter scores: the model's scores already computed for these inputs (`warden eval --policy`), so the
    ///   policy is applied without a second forward pass; nil scores with the model.
    init(
        model: JudgeModel, taxonomy: HazardTaxonomy, policies: URL, policyID: String,
        scores: [ClassificationInput: LabelScores]? = nil
    ) async throws {
        let store = PolicyStore(directory: policies, taxonomy: taxonomy, modelThresholds: model.classifier.operatingThresholds) { report in
            for error in report.errors { FileHandle.standardError.write(Data("warning: \(error)\n".utf8)) }
        }
        store.reload()
        _ = try store.requireEngine(id: policyID)
        self.policyID = policyID
        // No timeout: a command-line check waits for the model rather than answering with `on_error`.
        let classifier: any SafetyClassifier = scores.map { PrecomputedScores(model: model.classifier, scores: $0) } ?? model.classifier
        guardStage = Guard(classifier: classifier, policies: store, customScorer: CustomCategoryScorer(embedder: model.main), auditStore: nil,
                           classifierTimeout: nil, classifierFailure: .error, logger: Logger(label: "warden.check"))
    }

    func check(_ conversation: Conversation, direction: Direction) async throws -> GuardResult {
        try await guardStage.check(conversation, direction: direction, policyID: policyID)
    }

    func check(_ items: [(conversation: Conversation, direction: Direction)]) async -> [Result<GuardResult, GuardError>] {
        await guardStage.check(items.map { GuardRequest(conversation: $0.conversation, direction: $0.direction, policyID: policyID) })
    }
}

/// The model's scores computed earlier, served by input, so a policy can be applied to an evaluated set for free.
struct PrecomputedScores: SafetyClassifier {
    let model: any SafetyClassifier
    let scores: [ClassificationInput: LabelScores]

    var modelID: String { model.modelID }
    var labels: [String] { model.labels }
    var operatingThresholds: [String: Double] { model.operatingThresholds }

    func classify(_ inputs: [ClassificationInput]) async throws -> [LabelScores] {
        var found: [LabelScores] = []
        var missing: [Int] = []
        for (index, input) in inputs.enumerated() {
            found.append(scores[input] ?? LabelScores())
            if scores[input] == nil { missing.append(index) }
        }
        guard !missing.isEmpty else { return found }
        // An input the policy changed (none today) is scored by the model itself.
        let fresh = try await model.classify(missing.map { inputs[$0] })
        for (index, value) in zip(missing, fresh) { found[index] = value }
        return found
    }
}
