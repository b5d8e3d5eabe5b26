import Foundation
import Logging
import WardenCore
import WardenPolicy

extension Guard {
    /// One request on its way through a check.
    struct Item: Sendable {
        var index: Int
        var request: GuardRequest
        var engine: PolicyEngine
        var input: ClassificationInput
    }

    /// A request with its verdict, before the audit write.
    struct Decided: Sendable {
        var item: Item
        var verdict: Verdict
        var scores: LabelScores
        var source: VerdictSource
    }

    /// Screens, scores (one classifier call for the whole batch), decides and, when `recordAudit`
    /// is set, records audit events. Streaming moderation's intermediate window checks pass `false`.
    func evaluate(_ requests: [GuardRequest], recordAudit: Bool) async -> [Result<GuardResult, GuardError>] {
        let started = ContinuousClock.now
        var results = [Result<GuardResult, GuardError>?](repeating: nil, count: requests.count)
        var decided: [Decided] = []
        var toScore: [Item] = []

        for (index, request) in requests.enumerated() {
            guard let engine = policies.engine(id: request.policyID) else {
                results[index] = .failure(.policyNotFound(request.policyID, known: policies.ids))
                metrics.refused(.policyNotFound)
                continue
            }
            let input = ClassificationInput(conversation: request.conversation, direction: request.direction)
            let item = Item(index: index, request: request, engine: engine, input: input)
            if let exceeded = engine.limitExceeded(input) {
                results[index] = .failure(.inputOverLimits(exceeded, policyID: request.policyID))
                metrics.refused(.overLimits)
                continue
            }
            if let verdict = engine.screen(input) {
                decided.append(Decided(item: item, verdict: verdict, scores: LabelScores(), source: .screen))
            } else {
                toScore.append(item)
            }
        }

        if !toScore.isEmpty {
            let scored = await score(toScore)
            for (item, outcome) in zip(toScore, scored) {
                switch outcome {
                case .success(let scores):
                    decided.append(Decided(item: item, verdict: item.engine.decide(scores, for: item.input), scores: scores, source: .model))
                case .failure(let error):
                    let policy = item.engine.policy
                    // Too large to score is the request's fault, not the model's: never an on_error verdict, so
                    // fail-open cannot wave a huge text through unjudged.
                    if case ClassifierError.tooLarge(let windows, let limit) = error {
                        results[item.index] = .failure(.requestTooLarge(windows: windows, limit: limit, policyID: policy.id))
                        metrics.refused(.overLimits)
                        continue
                    }
                    if classifierFailureReporting == .error, policy.onError != .allow {
                        let refused = (error as? any CapacityRefusal)?.isCapacityRefusal == true
                        results[item.index] = .failure(
                            refused
                                ? .classifierOverloaded(reason: "\(error)", policyID: policy.id)
                                : .classifierFailed(reason: "\(error)", policyID: policy.id))
                        metrics.refused(.classifierFailed)
                        continue
                    }
                    let verdict = item.engine.failure(error, for: item.input)
                    decided.append(Decided(item: item, verdict: verdict, scores: LabelScores(), source: .classifierFailure))
                }
            }
        }

        await withTaskGroup(of: (Int, Result<GuardResult, GuardError>).self) { group in
            for entry in decided {
                group.addTask { (entry.item.index, await finish(entry, started: started, recordAudit: recordAudit)) }
            }
            for await (index, result) in group { results[index] = result }
        }
        return results.map { $0! }
    }

    // MARK: - Scoring

    /// Label scores per item (custom categories merged in), or the error that stopped them.
    private func score(_ items: [Item]) async -> [Result<LabelScores, any Error>] {
        let inputs = items.map(\.input)
        let textBytes = inputs.reduce(0) { total, input in
            input.conversation.messages.reduce(total) { $0 + $1.content.utf8.count }
        }
        let started = ContinuousClock.now
        let modelScores: [LabelScores]
        do {
            modelScores = try await bounded(textBytes: textBytes) { [classifier] in try await classifier.classify(inputs) }
            guard modelScores.count == inputs.count else {
                throw ClassifierError.unavailable("it returned \(modelScores.count) results for \(inputs.count) inputs")
            }
            metrics.inference(ContinuousClock.now - started, batchSize: inputs.count)
        } catch {
            metrics.classifierFailure(error)
            logger.error("classifier failed", metadata: ["guard.error": "\(error)", "guard.batch": "\(inputs.count)"])
            return items.map { _ in .failure(error) }
        }
        var results = modelScores.map { Result<LabelScores, any Error>.success($0) }
        guard let customScorer else { return results }

        // Items under the same custom categories share one scorer call.
        var groups: [[CustomCategory]: [Int]] = [:]
        for (position, item) in items.enumerated() {
            let categories = item.engine.customCategories.filter { $0.directions.contains(item.input.direction) }
            if !categories.isEmpty { groups[categories, default: []].append(position) }
        }
        for (categories, positions) in groups {
            let texts = positions.map { items[$0].input.judgedText }
            do {
                let extra = try await bounded(textBytes: textBytes) { try await customScorer.scores(for: texts, categories: categories) }
                for (position, custom) in zip(positions, extra) {
                    results[position] = results[position].map { LabelScores($0.values.merging(custom) { Swift.max($0, $1) }, model: $0.model) }
                }
            } catch {
                metrics.classifierFailure(error)
                logger.error("custom category scoring failed", metadata: ["guard.error": "\(error)"])
                for position in positions { results[position] = .failure(error) }
            }
        }
        return results
    }

    /// Runs a model call within ``classifierDeadline`` for `textBytes` of text.
    private func bounded<T: Sendable>(textBytes: Int, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = classifierDeadline?.limit(forTextBytes: textBytes)
        let milliseconds = limit.map { Int($0 / .milliseconds(1)) } ?? 0
        return try await withDeadline(limit, onTimeout: { ClassifierError.timedOut(milliseconds: milliseconds) }, operation)
    }

    // MARK: - Audit and result

    private func finish(_ entry: Decided, started: ContinuousClock.Instant, recordAudit: Bool) async -> Result<GuardResult, GuardError> {
        let policy = entry.item.engine.policy
        var result = GuardResult(
            verdict: entry.verdict, scores: entry.scores, source: entry.source,
            model: entry.source == .model ? entry.scores.model ?? classifier.modelID : nil, auditID: nil,
            latency: ContinuousClock.now - started
        )
        if recordAudit {
            do {
                result = try await audited(result, of: entry.item.request, policy: policy)
            } catch {
                return .failure(error)
            }
        }
        result.latency = ContinuousClock.now - started
        // Intermediate window checks of a stream are not decisions; the stream counts the one that decided.
        if recordAudit { metrics.decided(result, policyID: policy.id) }
        return .success(result)
    }

    /// Records the audit event of a check, if the policy records its decision, and returns the
    /// result with the event's ID.
    /// - Throws: ``GuardError/auditUnavailable(reason:policyID:)`` when the store fails and the
    ///   policy fails closed.
    func audited(_ result: GuardResult, of request: GuardRequest, policy: Policy) async throws(GuardError) -> GuardResult {
        guard let auditStore, policy.audit.record.records(result.verdict.decision) else { return result }
        let event = AuditEvent(checking: request, result: result, policy: policy, modelID: result.model ?? classifier.modelID)
        do {
            try await auditStore.record(event)
        } catch {
            metrics.auditFailure()
            let metadata: Logger.Metadata = ["guard.error": "\(error)", "guard.policy": "\(policy.id)"]
            // The store serves on (fail-open) but cannot vouch for the event: no audit ID, whatever the policy.
            if (error as? any UnconfirmedAuditEvent)?.servesWithoutAuditID == true {
                logger.warning("audit event not confirmed; request served without an audit ID", metadata: metadata)
                return result
            }
            if policy.onError != .allow {
                logger.error("audit log unavailable; request refused (policy fails closed)", metadata: metadata)
                metrics.refused(.auditUnavailable)
                throw .auditUnavailable(reason: "\(error)", policyID: policy.id)
            }
            logger.warning("audit log unavailable; request served (policy fails open)", metadata: metadata)
            return result
        }
        var recorded = result
        recorded.auditID = event.id
        return recorded
    }

    /// Records and counts the output check that decided a stream (its window checks ran with
    /// `recordAudit: false`); the policy is looked up again by ID.
    func decidedStream(_ result: GuardResult, of request: GuardRequest) async throws(GuardError) -> GuardResult {
        guard let policy = policies.policy(id: request.policyID) else {
            throw .policyNotFound(request.policyID, known: policies.ids)
        }
        let recorded = try await audited(result, of: request, policy: policy)
        metrics.decided(recorded, policyID: policy.id)
        return recorded
    }
}
