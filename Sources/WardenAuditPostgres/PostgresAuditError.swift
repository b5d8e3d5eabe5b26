import Foundation
import PostgresNIO
import WardenAudit

/// Turns PostgresNIO's errors into ``AuditError``s that say what to fix: the server is unreachable, the login was
/// refused, the database or a permission is missing. PSQLError's own description is deliberately vague; the server's
/// message and SQLSTATE are read from it here. Only the redacted URL is ever named.
enum PostgresAuditErrors {
    static func auditError(_ error: any Error, location: String) -> AuditError {
        switch error {
        case let error as AuditError:
            return error
        case let error as PostgresTransactionError:
            guard let inner = error.closureError ?? error.beginError ?? error.commitError else {
                return .database(path: location, detail: "the transaction failed")
            }
            return auditError(inner, location: location)
        case let error as PSQLError:
            return psqlError(error, location: location)
        default:
            // The pool's own errors (`ConnectionPoolError`): its circuit breaker after failing to connect for a while.
            let text = String(describing: error)
            if String(describing: type(of: error)).contains("ConnectionPool") {
                let detail = text.contains("CircuitBreaker")
                    ? "no connection could be opened for a while; the pool keeps retrying" : "connection pool: \(text)"
                return .databaseUnreachable(location: location, detail: detail)
            }
            return .database(path: location, detail: text)
        }
    }

    static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is NIOSSLExtraError || String(reflecting: type(of: error)).contains("NIOSSL")
    }

    private static func psqlError(_ error: PSQLError, location: String) -> AuditError {
        if error.code == .server, let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "server error"
            let detail = "\(message) (SQLSTATE \(state))"
            switch state {
            case "28P01", "28000":
                return .databaseAuthentication(location: location, detail: detail)
            case "3D000":
                return .database(path: location, detail: "\(detail); create it (createdb) or fix the database in the URL")
            case "53100":
                return .diskFull(path: location)
            case "42501":
                return .database(path: location, detail: "\(detail); grant the user the rights on the database or schema")
            case "57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004":
                return .databaseUnreachable(location: location, detail: detail)
            default:
                return .database(path: location, detail: detail)
            }
        }
        if let underlying = error.underlying, error.code == .connectionError, Self.isTLSFailure(underlying) {
            // A certificate the client does not trust, or a name it does not match, is not an unreachable server:
            // retrying will not help, the settings must change.
            return .database(
                path: location,
                detail: "the TLS handshake failed (\(underlying)); check sslmode and sslrootcert (verify-ca checks the "
                    + "certificate chain against sslrootcert, verify-full also the host name, which must be in the certificate)")
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed:
            let cause = error.underlying.map { String(describing: $0) } ?? "\(error.code)"
            return .databaseUnreachable(location: location, detail: cause)
        case .sslUnsupported:
            return .database(path: location, detail: "the server does not offer TLS; use sslmode=prefer or disable, or enable ssl on the server")
        case .authMechanismRequiresPassword:
            return .databaseAuthentication(location: location, detail: "the server asks for a password; give it in the URL or PGPASSWORD")
        case .unsupportedAuthMechanism, .saslError:
            return .databaseAuthentication(location: location, detail: "\(error.code)")
        case .queryCancelled:
            return .databaseUnreachable(location: location, detail: "the query was cancelled")
        default:
            return .database(path: location, detail: "\(error.code)" + (error.underlying.map { ": \($0)" } ?? ""))
        }
    }
}

/// Runs `body`, giving up after `limit`: a server that stopped answering (a dropped network, a frozen host) must not
/// hold a caller forever. The work is cancelled and may still finish; the store's writes are idempotent, so a retry
/// after a timeout never doubles an event.
func withDeadline<T: Sendable>(
    _ limit: Duration, onTimeout: @escaping @Sendable () -> any Error, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task { race.finish(with: await Result(catching: { try await body() })) }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if race.finish(with: .failure(onTimeout())) { work.cancel() }
            }
            race.onFinish { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        race.finish(with: .failure(CancellationError()))
    }
}

/// The first result of a race wins; the others are dropped.
private final class Race<T: Sendable>: @unchecked Sendable {
    // Guarded by `lock`.
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?
    private let lock = NSLock()

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func onFinish(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        if done {
            lock.unlock()
            body()
            return
        }
        cleanup = body
        lock.unlock()
    }

    @discardableResult
    func finish(with result: Result<T, any Error>) -> Bool {
        lock.lock()
        guard !done else {
            lock.unlock()
            return false
        }
        done = true
        let continuation = self.continuation
        self.continuation = nil
        if continuation == nil { early = result }
        let cleanup = self.cleanup
        lock.unlock()
        continuation?.resume(with: result)
        cleanup?()
        return true
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
