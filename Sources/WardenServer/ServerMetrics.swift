import Prometheus
import Synchronization
import WardenAudit
import WardenCore

/// The service's own metrics, in a Prometheus registry that `/metrics` renders; the guard's `warden_guard_*`
/// metrics go to the same registry through ``guardMetricsFactory``. Names follow Prometheus conventions: counters
/// end in `_total`, durations are in seconds, every family has help text.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let queueDepth: Gauge
    private let batchWindows: ValueHistogram
    private let batchDuration: DurationHistogram
    private let overloadRejections: Counter
    private let auditQueueDepth: Gauge
    private let auditDropped: Counter
    private let auditWritten: Counter
    private let auditFailedWrites: Counter
    private let auditAvailable: Gauge
    private let connectionRefusals: Counter
    /// The audit writer's counts at the last render: its counters advance by the difference.
    private let auditSeen = Mutex((dropped: 0, written: 0, failedWrites: 0))

    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { .milliseconds($0) }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        queueDepth = registry.makeGauge(descriptor: Self.metric("warden_batch_queue_depth", "Model windows waiting for a forward pass"))
        batchWindows = registry.makeValueHistogram(descriptor: Self.metric("warden_batch_windows", "Model windows per forward pass"), buckets: [1, 2, 4, 8, 16, 32, 64, 128])
        batchDuration = registry.makeDurationHistogram(descriptor: Self.metric("warden_batch_duration_seconds", "Time of one batched forward pass"), buckets: Self.latencyBuckets)
        overloadRejections = registry.makeCounter(descriptor: Self.metric("warden_overload_rejections_total", "Requests refused with 503 because the classifier queue was full"))
        auditQueueDepth = registry.makeGauge(descriptor: Self.metric("warden_audit_queue_depth", "Audit events waiting to be written"))
        auditDropped = registry.makeCounter(descriptor: Self.metric("warden_audit_dropped_events_total", "Audit events dropped because the queue was full (fail-open)"))
        auditWritten = registry.makeCounter(descriptor: Self.metric("warden_audit_written_events_total", "Audit events committed"))
        auditFailedWrites = registry.makeCounter(descriptor: Self.metric("warden_audit_failed_writes_total", "Audit batch writes that failed (each is retried)"))
        connectionRefusals = registry.makeCounter(descriptor: Self.metric("warden_connection_refusals_total", "Connections answered 503 because server.max_connections were open"))
        auditAvailable = registry.makeGauge(descriptor: Self.metric("warden_audit_database_available", "1 while audit writes succeed"))
    }

    // MARK: - HTTP

    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Self.metric("warden_http_requests_total", "HTTP requests by route, method and status"), labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.metric("warden_http_request_duration_seconds", "Time from request to response head, by route"), labels: [("route", route)], buckets: Self.latencyBuckets).record(duration)
    }

    // MARK: - Decisions

    func decided(_ verdict: Verdict, endpoint: String) {
        registry.makeCounter(descriptor: Self.metric("warden_decisions_total", "Verdicts by endpoint and decision"), labels: [("endpoint", endpoint), ("decision", verdict.decision.rawValue)]).increment()
        for category in Set(verdict.violations.map(\.category.rawValue)) {
            registry.makeCounter(descriptor: Self.metric("warden_category_flags_total", "Categories that fired, by endpoint"), labels: [("category", category), ("endpoint", endpoint)]).increment()
        }
    }

    // MARK: - Batching

    /// Callbacks for ``BatchingClassifier``.
    var batchObserver: BatchObserver {
        BatchObserver(
            batch: { [batchWindows, batchDuration] size, duration in
                batchWindows.record(Double(size))
                batchDuration.record(duration)
            },
            queueDepth: { [queueDepth] depth in queueDepth.set(to: Double(depth)) },
            rejected: { [overloadRejections] in overloadRejections.increment() })
    }

    func overloadRejected() { overloadRejections.increment() }

    func connectionRefused() { connectionRefusals.increment() }


    // MARK: - Rendering

    /// A descriptor of a full metric name (the registry joins its parts with underscores).
    private static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The exposition text, with the audit writer's gauges brought up to date first.
    func render(audit: AuditWriterMetrics?) -> String {
        if let audit {
            auditQueueDepth.set(to: Double(audit.queueDepth))
            auditAvailable.set(to: audit.isDatabaseAvailable ? 1.0 : 0.0)
            let (dropped, written, failed) = auditSeen.withLock { seen in
                defer { seen = (audit.dropped, audit.written, audit.failedWrites) }
                return (audit.dropped - seen.dropped, audit.written - seen.written, audit.failedWrites - seen.failedWrites)
            }
            if dropped > 0 { auditDropped.increment(by: Int64(dropped)) }
            if written > 0 { auditWritten.increment(by: Int64(written)) }
            if failed > 0 { auditFailedWrites.increment(by: Int64(failed)) }
        }
        return registry.emitToString()
    }
}
