import Testing

@testable import WardenBackends

@Suite("Server-sent event parsing")
struct ServerSentEventParserTests {
    @Test("events split at every byte boundary come out whole")
    func byteByByte() {
        let stream = "data: {\"a\":\"é\"}\n\n: keep-alive\n\ndata: [DONE]\n\n"
        var parser = ServerSentEventParser()
        var events: [String] = []
        for byte in Array(stream.utf8) { events += parser.feed([byte]).map(\.data) }
        #expect(events == ["{\"a\":\"é\"}", "[DONE]"])
    }

    @Test("CRLF line ends, several data lines, other fields and a missing final blank line")
    func formatVariants() {
        var parser = ServerSentEventParser()
        var events = parser.feed(Array("event: message\r\ndata: one\r\ndata:two\r\nid: 7\r\n\r\ndata: last".utf8))
        if let last = parser.finish() { events.append(last) }
        #expect(events.map(\.data) == ["one\ntwo", "last"])
        #expect(events.map(\.line) == [2, 6])
    }
}
