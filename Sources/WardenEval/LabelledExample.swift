import WardenCore

/// One labelled item of a training or evaluation set (the JSONL schema of the shared data).
///
/// When `response` is present the labels are about the response, i.e. the item is judged in the
/// `.output` direction; otherwise they are about the prompt.
public struct LabelledExample: Codable, Sendable, Hashable {
    /// Unique id, conventionally `SOURCE-N`.
    public var id: String
    /// The dataset the item comes from, such as `toxicchat_train`.
    public var source: String
    /// The user text.
    public var prompt: String
    /// The assistant text, absent for prompt-only items.
    public var response: String?
    /// Whether the judged turn is unsafe.
    public var unsafe: Bool
    /// Category codes (`S1`…`S14`, `harassment`, `jailbreak`, `prompt_injection`, `profanity`);
    /// empty when safe or when the source gives no category.
    public var categories: [String]
    /// The source's own label fields, kept as they were.
    public var origLabels: [String: JSONValue]?
    /// True when `categories` lists only what is known to apply and the other categories are
    /// unknown (a reviewed addition, see ``CategoryAdditions``); nil or false means the list is
    /// complete, as the shared data's schema defines it.
    public var categoriesPartial: Bool?

    public init(
        id: String, source: String, prompt: String, response: String? = nil,
        unsafe: Bool, categories: [String] = [], origLabels: [String: JSONValue]? = nil, categoriesPartial: Bool? = nil
    ) {
        self.id = id
        self.source = source
        self.prompt = prompt
        self.response = response
        self.unsafe = unsafe
        self.categories = categories
        self.origLabels = origLabels
        self.categoriesPartial = categoriesPartial
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, source, prompt, response, unsafe, categories
        case origLabels = "orig_labels"
        case categoriesPartial = "categories_partial"
    }

    /// The prompt, followed by the response when there is one.
    public var conversation: Conversation { Conversation(prompt: prompt, response: response) }

    /// The side the labels judge: `.output` when a response is present, else `.input`.
    public var direction: Direction { response == nil ? .input : .output }

    /// The item as classifier input.
    public var classificationInput: ClassificationInput {
        ClassificationInput(conversation: conversation, direction: direction)
    }
}
