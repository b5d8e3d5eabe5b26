import Foundation
import PostgresNIO
import WardenAudit

/// A `postgres://` audit URL, read once and checked, so a bad URL fails at start with a message that says what to
/// fix. The password is kept here and nowhere else: ``redacted`` is what logs, errors and `/readyz` show.
///
/// `postgres://user[:password]@host[:port]/database?sslmode=require&schema=warden&pool_size=8&connect_timeout=10`.
/// Without a password in the URL, `PGPASSWORD` is used (flags show in `ps`; the environment does not).
public struct PostgresAuditURL: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// A directory holding the server's socket (libpq's `host=/run/postgresql`), instead of TCP.
    public var socketDirectory: String?
    public var user: String
    var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// A CA file for `verify-ca` / `verify-full` (libpq's `sslrootcert`).
    public var sslRootCertificate: String?
    /// The schema Warden's tables live in (created when missing); `nil` is the user's `search_path`.
    public var schema: String?
    /// Connections per process, at most.
    public var poolSize: Int
    public var connectTimeout: Duration
    public var applicationName: String

    /// libpq's `sslmode` values; `prefer` (TLS when the server offers it) is libpq's default too.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    static let parameters = ["sslmode", "sslrootcert", "schema", "pool_size", "connect_timeout", "application_name", "host"]

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// - Throws: ``AuditError/invalidDatabaseURL(_:)`` saying what is wrong, without the password.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw AuditError.invalidDatabaseURL(
                "expected postgres://user@host:port/database, got \(Self.redact(text)); percent-encode special characters in the password")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw AuditError.invalidDatabaseURL("\(Self.redact(text)) names no user; write postgres://USER@host/database")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw AuditError.invalidDatabaseURL("\(Self.redact(text)) names no database; write postgres://user@host/DATABASE")
        }
        self.user = user
        self.database = database
        password = components.password.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        port = components.port ?? 5432
        sslMode = .prefer
        poolSize = 8
        connectTimeout = .seconds(10)
        applicationName = "warden"
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw AuditError.invalidDatabaseURL(
                        "sslmode=\(value) is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": sslRootCertificate = value
            case "schema":
                guard value.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                    throw AuditError.invalidDatabaseURL("schema=\(value): use lower-case letters, digits and _ (a plain PostgreSQL name)")
                }
                schema = value
            case "pool_size":
                guard let size = Int(value), (1...100).contains(size) else {
                    throw AuditError.invalidDatabaseURL("pool_size=\(value) is not a whole number in 1...100")
                }
                poolSize = size
            case "connect_timeout":
                guard let seconds = Int(value), (1...600).contains(seconds) else {
                    throw AuditError.invalidDatabaseURL("connect_timeout=\(value) is not a number of seconds in 1...600")
                }
                connectTimeout = .seconds(seconds)
            case "application_name": applicationName = value
            case "host":
                guard value.hasPrefix("/") else {
                    throw AuditError.invalidDatabaseURL("host=\(value) must be a socket directory such as /run/postgresql")
                }
                socketDirectory = value
            default:
                throw AuditError.invalidDatabaseURL(
                    "unknown parameter '\(item.name)'; known: \(Self.parameters.joined(separator: ", "))")
            }
        }
    }

    /// The URL as logs and errors show it: everything but the password.
    public var redacted: String {
        var text = "postgres://\(user)@"
        if let socketDirectory {
            text += "/\(database)?host=\(socketDirectory)"
        } else {
            text += "\(host):\(port)/\(database)"
        }
        if let schema { text += (text.contains("?") ? "&" : "?") + "schema=\(schema)" }
        return text
    }

    /// `text` with any password replaced, for messages about URLs that could not be read.
    public static func redact(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// The client's configuration: TLS as `sslmode` asks, pool bounds, and the schema as the connections' search path.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = PostgresClient.Configuration(
                unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: user, password: password, database: database, tls: try tls())
        }
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = connectTimeout
        var startup = [("application_name", applicationName)]
        if let schema { startup.append(("search_path", schema)) }
        configuration.options.additionalStartupParameters = startup
        return configuration
    }

    /// One direct connection with the pool's settings, for the reason a pooled query cannot get one: the pool
    /// retries failed connections quietly, so a refused login or TLS handshake would otherwise surface only as a
    /// timeout.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            configuration = PostgresConnection.Configuration(
                unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS = switch try tlsSettings() {
            case nil: .disable
            case let (context, required)?: required ? .require(try NIOSSLContext(configuration: context)) : .prefer(try NIOSSLContext(configuration: context))
            }
            configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = .nanoseconds(Int64(connectTimeout / .nanoseconds(1)))
        return configuration
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        switch try tlsSettings() {
        case nil: .disable
        case let (context, required)?: required ? .require(context) : .prefer(context)
        }
    }

    /// libpq's meanings: `prefer`/`require` encrypt without checking the certificate; `verify-ca` checks the chain,
    /// `verify-full` the host name too. Nil for `disable`; `required` is false for `allow` and `prefer`.
    private func tlsSettings() throws -> (context: TLSConfiguration, required: Bool)? {
        var context = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable: return nil
        case .allow, .prefer, .require: context.certificateVerification = .none
        case .verifyCA: context.certificateVerification = .noHostnameVerification
        case .verifyFull: context.certificateVerification = .fullVerification
        }
        if let sslRootCertificate {
            guard FileManager.default.isReadableFile(atPath: sslRootCertificate) else {
                throw AuditError.invalidDatabaseURL("sslrootcert=\(sslRootCertificate) is not a readable file")
            }
            context.trustRoots = .file(sslRootCertificate)
        }
        return (context, !(sslMode == .allow || sslMode == .prefer))
    }
}
