/// Building blocks of the HTML report. Every text that reaches the page passes ``escape(_:)``: item texts are
/// adversarial (jailbreaks, markup, scripts), and the report must show them, not run them.
///
/// The output is also well-formed XML (void elements self-closed, no named entities), so a test can parse it.
enum HTMLText {
    /// Escapes text for element content and quoted attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\n", "\t", "\r\n": escaped.append(character)
            // Other control characters are not allowed in XML and mean nothing on a page.
            case _ where character.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }):
                escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `<tag class="…">text</tag>` with the text escaped.
    static func element(_ tag: String, _ text: String, class className: String? = nil) -> String {
        let attribute = className.map { " class=\"\(escape($0))\"" } ?? ""
        return "<\(tag)\(attribute)>\(escape(text))</\(tag)>"
    }

    /// A table of escaped cells; columns in `numeric` are right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], class className: String? = nil) -> String {
        func cells(_ row: [String], tag: String) -> String {
            row.enumerated().map { index, text in
                element(tag, text, class: numeric.contains(index) ? "num" : nil)
            }.joined()
        }
        var lines = ["<table\(className.map { " class=\"\(escape($0))\"" } ?? "")>"]
        lines.append("<thead><tr>\(cells(header, tag: "th"))</tr></thead>")
        lines.append("<tbody>")
        for row in rows { lines.append("<tr>\(cells(row, tag: "td"))</tr>") }
        lines.append("</tbody></table>")
        return lines.joined(separator: "\n")
    }

    /// An SVG chart from ``SVGChart`` without its XML declaration, for inlining.
    static func inlineSVG(_ document: String) -> String {
        guard document.hasPrefix("<?xml"), let end = document.firstIndex(of: "\n") else { return document }
        return String(document[document.index(after: end)...])
    }
}
