import Foundation
import WardenCore
import WardenPipeline
import WardenTaxonomy

/// `POST /v1/guard/check`: a conversation, the side to judge, and optionally a policy.
struct GuardCheckRequest: Decodable {
    var messages: [ChatMessageDTO]
    var direction: Direction?
    var policy: String?
}

/// A chat message; `content` is a string or an array of `{"type": "text", "text": ...}` parts.
struct ChatMessageDTO: Decodable {
    var role: Role
    var content: String

    private enum CodingKeys: String, CodingKey { case role, content }

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        if try container.decodeNil(forKey: .content) {
            content = ""
            return
        }
        do {
            content = try container.decode(String.self, forKey: .content)
        } catch DecodingError.typeMismatch {
            // Not a string (a string that is not valid text, such as a lone surrogate, fails with its own error above).
            guard let parts = try? container.decode([Part].self, forKey: .content) else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: container.codingPath + [CodingKeys.content],
                    debugDescription: "expected a string or an array of {\"type\": \"text\", \"text\": ...} parts"))
            }
            content = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined(separator: "\n")
        }
    }

    var message: Message { Message(role: role, content: content) }
}
