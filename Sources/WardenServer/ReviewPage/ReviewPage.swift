import Hummingbird

/// The review page at `/review`: HTML, CSS and JavaScript compiled into the binary as strings, so an installed
/// `warden` serves it with no resource bundle beside it, no CDN and no front-end build step.
///
/// Conversations in the audit log are adversarial by nature, so the page is built to show them inert: the script
/// writes data only as text, and the Content-Security-Policy below would stop a script, style, frame or remote
/// load that slipped through anyway. The page keeps its token in `sessionStorage` and sends it only in the
/// `Authorization` header; no cookie exists, so a cross-site form or link carries no credentials (no CSRF).
enum ReviewPage {
    struct Asset: Sendable {
        var contentType: String
        var body: String
    }

    /// Scripts and styles only from this server, no inline ones; data only from this server's API; nothing may
    /// frame the page; forms post only here; Trusted Types turn any HTML-string sink into an error.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
        "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    ].joined(separator: "; ")

    /// What every other response carries: it is data, never a document to run or frame.
    static let apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"

    static let assets: [String: Asset] = [
        "review.css": Asset(contentType: "text/css; charset=utf-8", body: css),
        "review.js": Asset(contentType: "text/javascript; charset=utf-8", body: scriptCore + scriptQueue + scriptEvent),
        "icon.svg": Asset(contentType: "image/svg+xml", body: icon),
    ]

    /// The page itself (`GET /review`).
    static func page() -> Response {
        response(Asset(contentType: "text/html; charset=utf-8", body: html))
    }

    /// `GET /review/{name}`: 404 for names that are not assets.
    static func asset(_ name: String) throws(APIError) -> Response {
        guard let asset = assets[name] else { throw .notFound("no review page asset '\(name)'") }
        return response(asset)
    }

    private static func response(_ asset: Asset) -> Response {
        // no-cache: revalidated on each load, so a new binary's page never runs with an old script.
        let headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
    }
}

/// Security headers on every response: the page's CSP under `/review`, a deny-all CSP elsewhere (JSON that a
/// browser is tricked into opening must not run or be framed), no MIME sniffing, no referrer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let path = request.uri.path
        let isPage = path == "/review" || path.hasPrefix("/review/")
        response.headers[.contentSecurityPolicy] = isPage ? ReviewPage.contentSecurityPolicy : ReviewPage.apiContentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        if isPage {
            response.headers[.frameOptions] = "DENY"
            response.headers[.crossOriginOpenerPolicy] = "same-origin"
        }
        return response
    }
}

extension HTTPFields.Element.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let frameOptions = Self("X-Frame-Options")!
}
