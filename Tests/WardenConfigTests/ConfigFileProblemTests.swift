import Foundation
import Testing
@testable import WardenConfig

@Suite("Why a configuration file could not be read")
struct ConfigFileProblemTests {
    /// Foundation on Linux wraps the system's error this way (checked by exhausting descriptors in a child process):
    /// its own message is "The operation could not be completed".
    static func foundationError(posix code: Int32) -> NSError {
        NSError(
            domain: NSCocoaErrorDomain, code: 256,
            userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(code))])
    }

    @Test("running out of descriptors is named, with what to do about it")
    func descriptorExhaustion() throws {
        let reason = try #require(ConfigFileProblem.systemReason(Self.foundationError(posix: EMFILE)))
        #expect(reason.contains("too many open files"))
        #expect(reason.contains("server.max_connections"))
        #expect(!reason.contains("NSCocoaErrorDomain"))
    }

    @Test("other system errors read as the system's words; an error without one has no system reason")
    func otherErrors() {
        #expect(ConfigFileProblem.systemReason(Self.foundationError(posix: EACCES)) == String(cString: strerror(EACCES)))
        #expect(ConfigFileProblem.systemReason(NSError(domain: NSCocoaErrorDomain, code: 256)) == nil)
    }
}
