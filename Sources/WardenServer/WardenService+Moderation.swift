import Foundation
import Hummingbird
import WardenCore
import WardenPipeline

extension WardenService {
    /// `POST /v1/moderations`: each input is checked as a user turn; all of them share one
    /// classifier call (and, with other requests, one forward pass).
    func moderate(_ request: Request) async throws -> Response {
        let caller = try authenticator.client(request)
        let body = try await RequestDecoding.decode(ModerationRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        try Self.requireText(body.input.texts, field: "input")
        let policyID = try policyID(for: caller, requested: body.policy)
        try admit(inputs: body.input.texts.count)

        let requests = body.input.texts.map {
            GuardRequest(conversation: Conversation(prompt: $0), direction: .input, policyID: policyID, caller: caller.auditID)
        }
        var results: [ModerationResult] = []
        var decision = Decision.allow
        for outcome in await self.guard.check(requests) {
            let result = try outcome.get()
            metrics.decided(result.verdict, endpoint: "moderations")
            results.append(ModerationResult(result, taxonomy: taxonomy))
            decision = max(decision, result.verdict.decision)
        }
        let response = ModerationResponse(
            id: "modr-\(UUID().uuidString.lowercased())", model: body.model ?? batcher.modelID, results: results)
        return Self.withDecision(decision, try jsonResponse(response))
    }

    /// `POST /v1/guard/check`: one conversation, judged on the side `direction` names (by default
    /// the side of its last turn).
    func check(_ request: Request) async throws -> Response {
        let caller = try authenticator.client(request)
        let body = try await RequestDecoding.decode(GuardCheckRequest.self, from: request, maxBytes: configuration.maxBodyBytes)
        let conversation = Conversation(body.messages.map(\.message))
        let direction = body.direction ?? conversation.defaultDirection
        let judged = direction.judgedRole
        guard let turn = conversation.lastIndex(of: judged).map({ conversation.messages[$0] }) else {
            throw APIError.unprocessable(
                "messages has no \(judged.rawValue) turn to judge in direction '\(direction.rawValue)'", code: "empty_input")
        }
        try Self.requireText([turn.content], field: "the last \(judged.rawValue) message")
        let policyID = try policyID(for: caller, requested: body.policy)
        try admit(inputs: 1)

        let result = try await self.guard.check(conversation, direction: direction, policyID: policyID, caller: caller.auditID)
        metrics.decided(result.verdict, endpoint: "guard_check")
        return Self.withDecision(result.verdict.decision, try jsonResponse(VerdictRecord(result)))
    }

    /// The `Warden-Decision` header (`allow`, `review` or `block`; the most severe of several inputs): `flagged`,
    /// `safe` and the Llama Guard text read the same for review and block, and a proxy can branch on it unparsed.
    static func withDecision(_ decision: Decision, _ response: Response) -> Response {
        var response = response
        response.headers[.wardenDecision] = decision.rawValue
        return response
    }
}

extension HTTPFields.Element.Name {
    static let wardenDecision = Self("Warden-Decision")!
}
