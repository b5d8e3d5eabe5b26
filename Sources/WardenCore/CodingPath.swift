/// A decoding error's location as users write it: `messages[0].content`.
public func codingPathText(_ codingPath: [any CodingKey], root: String = "(top level)") -> String {
    var text = ""
    for key in codingPath {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
        }
    }
    return text.isEmpty ? root : text
}
