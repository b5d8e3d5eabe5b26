import Foundation
import WardenCore

/// The OpenAI `/v1/chat/completions` wire format: the request body, and answers read with errors
/// that name the field and show what was received.
enum ChatCompletionWire {
    static func requestBody(_ request: ChatRequest, model: String?, stream: Bool) throws -> Data {
        var body: [String: Any] = [
            "messages": request.messages.map { ["role": $0.role.rawValue, "content": $0.content] },
            "stream": stream,
        ]
        if let model = request.model ?? model { body["model"] = model }
        let sampling = request.sampling
        if let temperature = sampling.temperature { body["temperature"] = temperature }
        if let topP = sampling.topP { body["top_p"] = topP }
        if let maxTokens = sampling.maxTokens { body["max_tokens"] = maxTokens }
        if let seed = sampling.seed { body["seed"] = seed }
        if !request.stop.isEmpty { body["stop"] = request.stop }
        return try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    }

    /// A non-streamed answer: `choices[0].message.content` and `choices[0].finish_reason`.
    static func response(_ data: Data, url: String, fallbackModel: String) throws(BackendError) -> ChatResponse {
        let reader = JSONReader(url: url, received: data, context: "body")
        let root = try reader.object(reader.parse(), at: "")
        if let message = upstreamErrorMessage(root) { throw .upstreamError(url: url, message: message) }
        let choice = try reader.object(try reader.firstElement(of: root, key: "choices"), at: "choices[0]")
        let message = try reader.object(try reader.value(choice, "message", at: "choices[0]"), at: "choices[0].message")
        // `content` may be null when a model answers with tool calls only.
        let content = try reader.optionalString(message, "content", at: "choices[0].message") ?? ""
        let reason = try reader.optionalString(choice, "finish_reason", at: "choices[0]")
        let model = (root["model"] as? String) ?? fallbackModel
        return ChatResponse(model: model, content: content, finishReason: finishReason(reason) ?? .stop)
    }

    /// One streamed event: `choices[0].delta.content` and `choices[0].finish_reason`; `nil` for an
    /// event without choices (such as a usage report).
    static func chunk(_ event: ServerSentEventParser.Event, url: String) throws(BackendError) -> ChatChunk? {
        let reader = JSONReader(url: url, received: Data(event.data.utf8), context: "data line \(event.line)")
        let root = try reader.object(reader.parse(), at: "")
        if let message = upstreamErrorMessage(root) { throw .upstreamError(url: url, message: message) }
        guard let choices = root["choices"] else {
            throw reader.malformed("choices", "is missing")
        }
        guard let list = choices as? [Any] else { throw reader.malformed("choices", "is not an array") }
        guard let first = list.first else { return nil }
        let choice = try reader.object(first, at: "choices[0]")
        var delta = ""
        if let deltaValue = choice["delta"], !(deltaValue is NSNull) {
            let deltaObject = try reader.object(deltaValue, at: "choices[0].delta")
            delta = try reader.optionalString(deltaObject, "content", at: "choices[0].delta") ?? ""
        }
        let reason = try reader.optionalString(choice, "finish_reason", at: "choices[0]")
        return ChatChunk(delta: delta, finishReason: finishReason(reason))
    }

    /// The message of an OpenAI-style error body: `{"error": {"message": ...}}` or `{"error": "..."}`.
    static func upstreamErrorMessage(_ object: [String: Any]) -> String? {
        switch object["error"] {
        case let text as String: text
        case let error as [String: Any]: (error["message"] as? String) ?? "\(error)"
        default: nil
        }
    }

    /// The error message of a failed HTTP answer: the upstream's own message when it sent one.
    static func statusMessage(_ data: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let message = upstreamErrorMessage(object)
        {
            return message
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text.truncatedForMessage()
    }

    /// Unknown reasons (some servers send `eos`) count as a normal stop.
    private static func finishReason(_ raw: String?) -> FinishReason? {
        raw.map { FinishReason(rawValue: $0) ?? .stop }
    }
}

/// Walks parsed JSON, turning every surprise into ``BackendError/malformedResponse(url:field:problem:received:)``.
private struct JSONReader {
    let url: String
    let received: Data
    let context: String

    func parse() throws(BackendError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: received, options: [.fragmentsAllowed])
        } catch {
            throw malformed("", "is not valid JSON")
        }
    }

    func malformed(_ field: String, _ problem: String) -> BackendError {
        let text = String(decoding: received, as: UTF8.self)
        let location = field.isEmpty ? context : "\(context): \(field)"
        return .malformedResponse(url: url, field: location, problem: problem, received: text.truncatedForMessage())
    }

    func object(_ value: Any, at field: String) throws(BackendError) -> [String: Any] {
        guard let object = value as? [String: Any] else { throw malformed(field, "is not a JSON object") }
        return object
    }

    func value(_ object: [String: Any], _ key: String, at parent: String) throws(BackendError) -> Any {
        guard let value = object[key], !(value is NSNull) else { throw malformed(path(parent, key), "is missing") }
        return value
    }

    func firstElement(of object: [String: Any], key: String) throws(BackendError) -> Any {
        let value = try value(object, key, at: "")
        guard let list = value as? [Any] else { throw malformed(key, "is not an array") }
        guard let first = list.first else { throw malformed(key, "is empty") }
        return first
    }

    func optionalString(_ object: [String: Any], _ key: String, at parent: String) throws(BackendError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw malformed(path(parent, key), "is not a string") }
        return text
    }

    private func path(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }
}
