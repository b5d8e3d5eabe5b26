import Foundation
import WardenCore
import WardenPipeline
import WardenTaxonomy

/// `POST /v1/chat/completions`: OpenAI's request (the fields Warden passes on), plus `policy`.
struct ChatCompletionRequest: Decodable {
    var model: String?
    var messages: [ChatMessageDTO]
    var stream: Bool?
    var temperature: Double?
    var topP: Double?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var seed: Int?
    var stop: StopSequences?
    var policy: String?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, temperature, seed, stop, policy
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
    }

    var chatRequest: ChatRequest {
        ChatRequest(
            model: model, messages: messages.map(\.message),
            sampling: SamplingParameters(temperature: temperature, topP: topP, maxTokens: maxCompletionTokens ?? maxTokens, seed: seed),
            stop: stop?.values ?? [])
    }
}

/// `stop`: one string or several.
struct StopSequences: Decodable {
    var values: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            values = [one]
        } else {
            values = try container.decode([String].self)
        }
    }
}

/// `chat.completion`, with the guard's verdicts in `warden`.
struct ChatCompletionResponse: Encodable {
    struct Choice: Encodable {
        var index = 0
        var message: AssistantMessage
        var finishReason: String

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }

    struct AssistantMessage: Encodable {
        var role = "assistant"
        var content: String
    }

    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var choices: [Choice]
    var warden: ChatVerdictDTO
}

/// One `chat.completion.chunk` of a stream.
struct ChatCompletionChunk: Encodable {
    struct Choice: Encodable {
        var index = 0
        var delta: Delta
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    struct Delta: Encodable {
        var role: String?
        var content: String?
    }

    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    var warden: ChatVerdictDTO?
}

/// The checks of a guarded generation: input, output (absent when the input was blocked), which
/// side was blocked, and the refusal given in place of blocked content.
struct ChatVerdictDTO: Encodable {
    var input: VerdictRecord?
    var output: VerdictRecord?
    var blocked: Direction?
    var refusal: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(output, forKey: .output)
        try container.encode(blocked, forKey: .blocked)
        try container.encode(refusal, forKey: .refusal)
    }

    enum CodingKeys: String, CodingKey { case input, output, blocked, refusal }
}
