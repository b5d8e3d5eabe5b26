import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers bytes that are not HTTP/1.1 with the service's JSON error shape, naming what the parser refused.
///
/// Hummingbird answers a parser error with an empty `400`, which leaves a client guessing. This handler sits after
/// the HTTP codec and sees the error first. It only answers when no request is in flight: once a head has been
/// handed to a route, that route owns the response, and a second one would corrupt the connection.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A request head went up whose response has not ended yet.
    private var exchangeOpen = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { exchangeOpen = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { exchangeOpen = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !exchangeOpen else {
            context.fireErrorCaught(error)
            return
        }
        // The parser cannot resynchronise on this connection: answer once, then close it once the answer is out.
        exchangeOpen = true  // nothing else goes out on this connection
        context.answerAndClose(.malformedHTTP(parserError))
    }
}

extension ChannelHandlerContext {
    /// Writes `error` as a whole response (`Connection: close`) from a handler past the HTTP codec, then closes the
    /// connection once it is out: for answers given before, or instead of, a route.
    func answerAndClose(_ error: APIError) {
        let body = error.body
        var head = HTTPResponse(status: error.status)
        head.headerFields = error.headers
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        write(NIOAny(HTTPResponsePart.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = self.channel
        writeAndFlush(NIOAny(HTTPResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension APIError {
    /// The bytes on the connection are not an HTTP/1.1 request.
    static func malformedHTTP(_ error: HTTPParserError) -> APIError {
        badRequest(
            "the request is not valid HTTP/1.1 (\(error.debugDescription)); the connection is closed",
            code: "malformed_http")
    }
}
