import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import WardenCore

extension OpenAICompatibleBackend {
    /// Sends the request and waits for the response head, retrying connection failures only.
    /// - Returns: a 2xx response whose body is still to be read.
    /// - Throws: ``BackendError``, or `CancellationError` when the task is cancelled.
    func send(_ request: ChatRequest, stream: Bool, deadline timeout: Duration) async throws -> HTTPClientResponse {
        var http = HTTPClientRequest(url: endpoint)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: stream ? "text/event-stream" : "application/json")
        if let apiKey = configuration.apiKey { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        http.body = .bytes(ByteBuffer(bytes: try ChatCompletionWire.requestBody(request, model: configuration.model, stream: stream)))

        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var attempt = 0
        while true {
            attempt += 1
            let response: HTTPClientResponse
            do {
                response = try await client.execute(http, deadline: deadline)
            } catch {
                try Task.checkCancellation()
                if let timeout = timeoutError(error, deadline: timeout) { throw timeout }
                guard Self.isConnectionFailure(error) else { throw mapAfterHead(error, deadline: timeout) }
                guard attempt <= configuration.maxRetries else {
                    throw BackendError.connectionFailed(url: endpoint, attempts: attempt, reason: "\(error)")
                }
                try await Task.sleep(for: configuration.retryDelay * (1 << (attempt - 1)))
                continue
            }
            guard (200..<300).contains(response.status.code) else {
                let body = (try? await response.body.collect(upTo: 64 << 10)) ?? ByteBuffer()
                throw BackendError.httpStatus(
                    url: endpoint, status: Int(response.status.code),
                    message: ChatCompletionWire.statusMessage(Data(body.readableBytesView))
                )
            }
            return response
        }
    }

    /// An error once the upstream had answered: never retried.
    func mapAfterHead(_ error: any Error, deadline: Duration) -> any Error {
        if error is CancellationError || error is BackendError { return error }
        if let client = error as? HTTPClientError, client == .cancelled { return CancellationError() }
        if let timeout = timeoutError(error, deadline: deadline) { return timeout }
        return BackendError.closedMidAnswer(url: endpoint, reason: "\(error)")
    }

    /// Failures that happen before the upstream saw the request: safe to retry.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        switch error {
        case is NIOConnectionError: return true
        case let error as HTTPClientError:
            return [.connectTimeout, .remoteConnectionClosed, .getConnectionFromPoolTimeout].contains(error)
        case let error as IOError:
            return [ECONNREFUSED, ECONNRESET, ECONNABORTED, EHOSTUNREACH, ENETUNREACH, EPIPE].contains(error.errnoCode)
        case let error as ChannelError:
            if case .connectTimeout = error { return true }
            return error == .ioOnClosedChannel || error == .eof
        default:
            return false
        }
    }

    /// The deadline (the configured timeout) and the read timeout (silence for 90 s) are told apart, so the message
    /// names the limit that fired.
    func timeoutError(_ error: any Error, deadline: Duration) -> BackendError? {
        guard let error = error as? HTTPClientError else { return nil }
        if error == .deadlineExceeded { return .timedOut(url: endpoint, after: deadline) }
        if error == .readTimeout { return .stalled(url: endpoint, after: Self.readTimeout) }
        return nil
    }

    /// The read timeout of the shared HTTP client (`HTTPClient.Configuration.singletonConfiguration`).
    static let readTimeout: Duration = .seconds(90)
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
