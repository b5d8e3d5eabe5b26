import Foundation
import HummingbirdTesting
import Testing
@testable import WardenServer

/// The review page as served: headers and the rules its code keeps. The page's behaviour in a real browser is
/// tested by Tests/browser (run by .ci/run).
@Suite("Review page")
struct ReviewPageTests {
    @Test("/review and its assets are served from the binary with a strict Content-Security-Policy")
    func served() async throws {
        try await TestServer.run { client in
            let page = try await client.get("/review")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<script src=\"/review/review.js\" defer></script>"))
            let policy = try #require(page.headers[.contentSecurityPolicy])
            for directive in [
                "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
                "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "require-trusted-types-for 'script'",
            ] {
                #expect(policy.contains(directive), "CSP lacks \(directive)")
            }
            #expect(!policy.contains("unsafe"), "no unsafe-inline or unsafe-eval")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[.referrerPolicy] == "no-referrer")
            #expect(page.headers[.frameOptions] == "DENY")

            for (name, type) in [("review.js", "text/javascript"), ("review.css", "text/css"), ("icon.svg", "image/svg+xml")] {
                let asset = try await client.get("/review/\(name)")
                #expect(asset.status == .ok)
                #expect(asset.headers[.contentType]?.hasPrefix(type) == true)
                #expect(asset.headers[.contentSecurityPolicy] == ReviewPage.contentSecurityPolicy)
            }
            #expect(try await client.get("/review/secrets.txt").status == .notFound)
        }
    }

    @Test("API answers carry a deny-all CSP and nosniff, so hostile JSON opened as a page runs nothing")
    func apiHeaders() async throws {
        try await TestServer.run { client in
            let unauthorised = try await client.get("/v1/audit/events")
            #expect(unauthorised.status == .unauthorized)
            #expect(unauthorised.headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
            #expect(unauthorised.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test("the page's code writes data only as text and never evaluates strings")
    func scriptHygiene() {
        let script = ReviewPage.scriptCore + ReviewPage.scriptQueue + ReviewPage.scriptEvent
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "setTimeout(\"", "srcdoc"] {
            #expect(!script.contains(sink), "review.js uses \(sink)")
        }
        // The token is only ever read from sessionStorage into the Authorization header: never a cookie or a URL.
        #expect(!script.contains("document.cookie"))
        #expect(!script.contains("localStorage"))
        #expect(script.components(separatedBy: "sessionStorage.getItem(TOKEN_KEY)").count - 1 == 2)
        // No inline script, style or event handler in the document (the CSP would refuse them anyway).
        let html = ReviewPage.html
        #expect(html.components(separatedBy: "<script").count - 1 == 1)
        #expect(!html.contains("<style"))
        #expect(!html.contains(" style="))
        #expect(html.firstMatch(of: /\son[a-z]+=/) == nil)
        #expect(!html.contains("http://") && !html.contains("https://"), "nothing from elsewhere")
    }
}
