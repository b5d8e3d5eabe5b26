import WardenCore

/// One line of `warden check --jsonl`: only `prompt` is required, `response` and `id` are optional, and any other
/// field (the labelled-data schema's `source`, `unsafe`, `categories`, ...) is ignored, so unlabelled traffic and
/// labelled data both work.
public struct CheckItem: Decodable, Sendable, Hashable {
    /// The item's id as written (a string or a number), or nil.
    public var id: String?
    public var prompt: String
    public var response: String?

    public init(id: String? = nil, prompt: String, response: String? = nil) {
        self.id = id
        self.prompt = prompt
        self.response = response
    }

    enum CodingKeys: String, CodingKey { case id, prompt, response }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try container.decode(String.self, forKey: .prompt)
        response = try container.decodeIfPresent(String.self, forKey: .response)
        if let text = try? container.decodeIfPresent(String.self, forKey: .id) {
            id = text
        } else if let number = try? container.decodeIfPresent(Int.self, forKey: .id) {
            id = String(number)
        } else {
            id = nil
        }
    }

    public var conversation: Conversation { Conversation(prompt: prompt, response: response) }
    /// The side judged by default: the response when there is one.
    public var direction: Direction { response == nil ? .input : .output }
}
