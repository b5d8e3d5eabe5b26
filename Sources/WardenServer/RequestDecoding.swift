import Foundation
import WardenCore
import WardenTaxonomy
import Hummingbird
import NIOCore
import WardenConfig

/// Reading request bodies into DTOs, with the status codes the API promises: 413 past the size
/// limit, 400 for bytes that are not UTF-8, JSON that does not parse, or fields of the wrong type.
enum RequestDecoding {
    /// The body, refused with 413 when it is (or claims to be) longer than `maxBytes`.
    static func body(of request: Request, maxBytes: Int) async throws(APIError) -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw .tooLarge(limit: maxBytes)
        }
        do {
            return try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: maxBytes)
        } catch {
            throw .badRequest("the request body could not be read: \(error)", code: "unreadable_body")
        }
    }

    /// Decodes the body as JSON into `T`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, maxBytes: Int) async throws(APIError) -> T {
        let buffer = try await body(of: request, maxBytes: maxBytes)
        return try decode(type, from: Data(buffer.readableBytesView))
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        guard !data.isEmpty else { throw .badRequest("the request body is empty; send a JSON object", code: "invalid_json") }
        guard String(validating: data, as: UTF8.self) != nil else {
            throw .badRequest("the request body is not valid UTF-8", code: "invalid_utf8")
        }
        do {
            let value = try JSONDecoder().decode(type, from: data)
            // One scan of the bytes serves both checks, so a body is not parsed a third time.
            let keys = objectKeys(in: data)
            if let key = keys.duplicate {
                throw APIError.badRequest(
                    "field '\(key)' appears twice in one object; send it once (JSON parsers disagree on which one wins)",
                    code: "duplicate_key")
            }
            if let misspelt = misspeltField(among: keys.topLevel) { throw misspelt }
            return value
        } catch let error as DecodingError {
            if isSyntaxError(error), let escape = loneSurrogateEscape(in: data) {
                throw .badRequest(
                    "the request body is not valid JSON: the escape \(escape) is half of a UTF-16 surrogate pair; "
                        + "send the character itself, or both halves", code: "invalid_json")
            }
            throw .badRequest(describe(error), code: isSyntaxError(error) ? "invalid_json" : "invalid_field")
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("the request body is not valid JSON: \(error)", code: "invalid_json")
        }
    }

    /// The fields Warden reads itself; other fields (OpenAI's many parameters) are passed on or ignored.
    static let wardenFields = ["policy", "direction", "messages", "input", "stream", "model"]

    /// A top-level key that is not a field but one typo away from one of Warden's (`"polcy"`): answered with 400,
    /// since ignoring it would silently apply the default policy.
    static func misspeltField(among topLevelKeys: [String]) -> APIError? {
        for key in topLevelKeys.sorted() where !wardenFields.contains(key) {
            if let field = ConfigurationIssue.closest(to: key, in: wardenFields) {
                return .badRequest("unknown field '\(key)' (did you mean '\(field)'?); it would otherwise be ignored", code: "unknown_field")
            }
        }
        return nil
    }

    // MARK: - Messages

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            "field '\(path(context.codingPath))' has the wrong type (expected \(typeName(type)))"
        case .valueNotFound(let type, let context):
            "field '\(path(context.codingPath))' is null (expected \(typeName(type)))"
        case .keyNotFound(let key, let context):
            "missing field '\(path(context.codingPath + [key]))'"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty
                ? "the request body is not valid JSON (\(syntaxDetail(context)))"
                : "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            "the request body does not match the expected shape"
        }
    }

    /// The first key that occurs twice in one object of an already valid JSON text. Foundation keeps one of them
    /// silently; a proxy in front may keep the other, so a request must not mean two things.
    static func duplicateKey(in data: Data) -> String? { objectKeys(in: data).duplicate }

    /// The keys of the root object (as written, escapes not decoded) and the first key repeated in any one object.
    static func objectKeys(in data: Data) -> (topLevel: [String], duplicate: String?) {
        var topLevel: [String] = []
        var stack: [Set<[UInt8]>?] = []  // nil: an array; a set: the keys of an object so far
        var expectingKey = false
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            switch byte {
            case UInt8(ascii: "{"):
                stack.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                stack.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                stack.removeLast()
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = stack.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var end = data.index(after: index)
                while end < data.endIndex && data[end] != UInt8(ascii: "\"") {
                    end = data[end] == UInt8(ascii: "\\") ? data.index(end, offsetBy: 2, limitedBy: data.endIndex) ?? data.endIndex : data.index(after: end)
                }
                if expectingKey, var keys = stack.last ?? nil {
                    let key = [UInt8](data[data.index(after: index)..<min(end, data.endIndex)])
                    if keys.contains(key) { return (topLevel, String(decoding: key, as: UTF8.self)) }
                    if stack.count == 1 { topLevel.append(String(decoding: key, as: UTF8.self)) }
                    keys.insert(key)
                    stack[stack.count - 1] = keys
                    expectingKey = false
                }
                index = end
            default:
                break
            }
            index = data.index(after: min(index, data.endIndex - 1))
            if index == data.endIndex { break }
        }
        return (topLevel, nil)
    }

    /// The first `\uD800`–`\uDFFF` escape that is not part of a high-low pair (Foundation's parser rejects them
    /// without saying why).
    static func loneSurrogateEscape(in data: Data) -> String? {
        let bytes = [UInt8](data)
        func unit(at index: Int) -> UInt16? {
            guard index + 5 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else { return nil }
            return UInt16(String(decoding: bytes[(index + 2)...(index + 5)], as: UTF8.self), radix: 16)
        }
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "u") {
                index += 2  // an escaped backslash or quote: skip it whole
                continue
            }
            guard let value = unit(at: index) else { index += 1; continue }
            if (0xD800...0xDBFF).contains(value), let low = unit(at: index + 6), (0xDC00...0xDFFF).contains(low) {
                index += 12
                continue
            }
            if (0xD800...0xDFFF).contains(value) { return String(decoding: bytes[index...(index + 5)], as: UTF8.self) }
            index += 6
        }
        return nil
    }

    /// What the parser objected to, such as an unpaired surrogate escape (`\ud800`) or a missing quote.
    private static func syntaxDetail(_ context: DecodingError.Context) -> String {
        let underlying = context.underlyingError.map { ($0 as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\($0)" }
        let detail = underlying ?? context.debugDescription
        return detail.isEmpty || detail == "The given data was not valid JSON." ? "check quotes, commas and escapes" : detail
    }

    private static func isSyntaxError(_ error: DecodingError) -> Bool {
        if case .dataCorrupted(let context) = error { return context.codingPath.isEmpty }
        return false
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPathText(codingPath, root: "(root)")
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        default: "\(type)".contains("Array") ? "an array" : "an object"
        }
    }
}

/// Encodes a DTO as a JSON response.
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok, encoder: JSONEncoder = APIJSON.encoder) throws -> Response {
    let data = try encoder.encode(value)
    return Response(
        status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

enum APIJSON {
    /// For DTOs with explicit snake_case keys.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// For the audit module's types, whose keys are camelCase in Swift.
    static var snakeCaseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
