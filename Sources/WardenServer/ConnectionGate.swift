import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How many client connections may be open at once, shared by every connection's ``ConnectionGateHandler``.
///
/// Each connection holds a descriptor (two through the chat proxy, with its backend connection). Past the
/// process's descriptor limit `accept` fails silently and queued clients hang, and the audit database and policy
/// files can no longer be opened; a cap below the limit answers extra clients with a 503 instead.
final class ConnectionLimiter: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    private let refusedCount = Atomic<Int>(0)
    private let metrics: ServerMetrics?
    private let logger: Logger?
    /// Uptime in nanoseconds of the last refusal logged: one line per 10 s at most, so that a flood of refusals
    /// does not become a flood of log lines.
    private let lastLogged = Atomic<UInt64>(0)

    init(limit: Int, metrics: ServerMetrics? = nil, logger: Logger? = nil) {
        self.limit = limit
        self.metrics = metrics
        self.logger = logger
    }

    /// The limiter of `warden serve`: `server.max_connections`, lowered to what the descriptor limit allows.
    static func serving(_ configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger) -> ConnectionLimiter {
        let budget = DescriptorLimit.connectionBudget()
        if let asked = configuration.maxConnections, asked > budget {
            logger.warning(
                "server.max_connections is more than the descriptor limit allows; lowered",
                metadata: ["warden.asked": "\(asked)", "warden.allowed": "\(budget)", "warden.descriptor_limit": "\(DescriptorLimit.soft)"])
        }
        return ConnectionLimiter(limit: min(configuration.maxConnections ?? budget, budget), metrics: metrics, logger: logger)
    }

    /// Counts a new connection in, or returns false when `limit` are already open.
    func admit() -> Bool {
        if open.add(1, ordering: .relaxed).newValue <= limit { return true }
        open.subtract(1, ordering: .relaxed)
        refusedCount.add(1, ordering: .relaxed)
        metrics?.connectionRefused()
        let now = DispatchTime.now().uptimeNanoseconds
        let last = lastLogged.load(ordering: .relaxed)
        if last == 0 || now - last > 10_000_000_000, lastLogged.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged {
            logger?.warning(
                "connection limit reached; new connections are answered 503 too_many_connections",
                metadata: ["warden.max_connections": "\(limit)"])
        }
        return false
    }

    func release() { open.subtract(1, ordering: .relaxed) }

    var openConnections: Int { open.load(ordering: .relaxed) }
    /// Connections refused since start.
    var refused: Int { refusedCount.load(ordering: .relaxed) }
}

/// The process's descriptor budget for client connections.
public enum DescriptorLimit {
    /// Descriptors kept for everything but client connections: the model and tokenizer files, the audit database
    /// and its WAL, policy reloads, logs, and the listening socket.
    static let reserved = 256

    /// Raises the soft descriptor limit to the hard one (the usual soft limit, 1,024, is a hundred times lower than
    /// most hard limits) and returns the soft limit in force.
    @discardableResult
    public static func raiseSoftLimit() -> Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return 1024 }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limits = raised }
        }
        return Int(clamping: limits.rlim_cur)
    }

    /// The soft limit in force now.
    static var soft: Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else { return 1024 }
        return Int(clamping: limits.rlim_cur)
    }

    /// Client connections the descriptor limit allows: half of what is left after the reserve, since a proxied
    /// chat request holds a backend connection too.
    static func connectionBudget(softLimit: Int = soft) -> Int {
        max(16, (softLimit - reserved) / 2)
    }
}

/// Admits a connection through the ``ConnectionLimiter`` or answers it `503 too_many_connections` and closes it.
///
/// The refusal goes out as soon as the connection opens, before its request is read: reading would let a slow
/// client keep the descriptor the cap exists to free.
final class ConnectionGateHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limiter: ConnectionLimiter
    private let retryAfter: Int
    private var admitted = false
    private var refused = false

    init(limiter: ConnectionLimiter, retryAfter: Int) {
        self.limiter = limiter
        self.retryAfter = retryAfter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        admitted = limiter.admit()
        refused = !admitted
        if refused, context.channel.isActive { refuse(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if refused { refuse(context: context) } else { context.fireChannelActive() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if admitted { limiter.release() }
        admitted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !refused { context.fireChannelRead(data) }  // a refused connection's request is never routed
    }

    private var answered = false

    private func refuse(context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        var refusal = APIError.overloaded(
            retryAfter: retryAfter,
            detail: "the server has \(limiter.limit) connections open, its limit (server.max_connections)")
        refusal.code = "too_many_connections"
        context.answerAndClose(refusal)
    }
}
