import Foundation
import Logging
import WardenCore
import WardenModel
import WardenPipeline
import WardenPolicy
import WardenTaxonomy

/// `warden check`'s path to a verdict: the same ``Guard`` the service runs (limits, deny and allow lists, custom
/// categories, the model's operating thresholds, `on_error`), with the policy folder loaded as the service loads it,
/// and no audit store (a dry run records nothing).
struct CheckJudge {
    let guardStage: Guard
    let policyID: String

    init(model: EncoderClassifier, taxonomy: HazardTaxonomy, policies: URL, policyID: String) async throws {
        let store = PolicyStore(directory: policies, taxonomy: taxonomy, modelThresholds: model.operatingThresholds) { report in
            for error in report.errors { FileHandle.standardError.write(Data("warning: \(error)\n".utf8)) }
        }
        store.reload()
        _ = try store.requireEngine(id: policyID)
        self.policyID = policyID
        // No timeout: a command-line check waits for the model rather than answering with `on_error`.
        guardStage = Guard(classifier: model, policies: store, customScorer: CustomCategoryScorer(embedder: model), auditStore: nil,
                           classifierTimeout: nil, classifierFailure: .error, logger: Logger(label: "warden.check"))
    }

    func check(_ conversation: Conversation, direction: Direction) async throws -> GuardResult {
        try await guardStage.check(conversation, direction: direction, policyID: policyID)
    }

    func check(_ items: [(conversation: Conversation, direction: Direction)]) async -> [Result<GuardResult, GuardError>] {
        await guardStage.check(items.map { GuardRequest(conversation: $0.conversation, direction: $0.direction, policyID: policyID) })
    }
}
