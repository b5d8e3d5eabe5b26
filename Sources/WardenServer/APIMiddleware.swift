import Hummingbird
import Logging

/// Turns every error into the API's JSON error shape and counts every request by route and status.
///
/// Routes are labelled by their pattern (`/v1/audit/events/{id}`), never the raw path, so the
/// number of time series stays bounded whatever clients send.
struct APIMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let retryAfter: Int
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = APIError(error, retryAfter: retryAfter)
            if apiError.status == .internalServerError {
                logger.error("request failed", metadata: ["warden.error": "\(error)", "http.path": "\(request.uri.path)"])
            }
            response = Response(status: apiError.status, headers: apiError.headers, body: .init(byteBuffer: ByteBuffer(bytes: apiError.body)))
        }
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: .now - started)
        return response
    }
}
