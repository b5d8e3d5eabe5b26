import Prometheus
import WardenAudit
import WardenCore

/// The service's own metrics, in a Prometheus registry that `/metrics` renders.
///
/// `warden serve` also bootstraps swift-metrics onto the same registry, so the guard's
/// `guard_*` counters and timers appear beside these.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let queueDepth: Gauge
    private let batchSize: ValueHistogram
    private let batchDuration: DurationHistogram
    private let overloadRejections: Counter
    private let auditQueueDepth: Gauge
    private let auditDropped: Gauge
    private let auditWritten: Gauge
    private let auditAvailable: Gauge

    static let latencyBuckets: [Duration] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { .milliseconds($0) }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        queueDepth = registry.makeGauge(descriptor: Self.metric("warden_batch_queue_depth", "Inputs waiting for a forward pass"))
        batchSize = registry.makeValueHistogram(descriptor: Self.metric("warden_batch_size", "Inputs per forward pass"), buckets: [1, 2, 4, 8, 16, 32, 64, 128])
        batchDuration = registry.makeDurationHistogram(descriptor: Self.metric("warden_batch_duration_seconds", "Time of one batched forward pass"), buckets: Self.latencyBuckets)
        overloadRejections = registry.makeCounter(descriptor: Self.metric("warden_overload_rejections_total", "Requests refused with 503 because the classifier queue was full"))
        auditQueueDepth = registry.makeGauge(descriptor: Self.metric("warden_audit_queue_depth", "Audit events waiting to be written"))
        auditDropped = registry.makeGauge(descriptor: Self.metric("warden_audit_dropped_events", "Audit events dropped because the queue was full"))
        auditWritten = registry.makeGauge(descriptor: Self.metric("warden_audit_written_events", "Audit events committed since start"))
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
            batch: { [batchSize, batchDuration] size, duration in
                batchSize.record(Double(size))
                batchDuration.record(duration)
            },
            queueDepth: { [queueDepth] depth in queueDepth.set(to: Double(depth)) },
            rejected: { [overloadRejections] in overloadRejections.increment() })
    }

    func overloadRejected() { overloadRejections.increment() }

    // MARK: - Rendering

    /// A descriptor of a full metric name (the registry joins its parts with underscores).
    private static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// The exposition text, with the audit writer's gauges brought up to date first.
    func render(audit: AuditWriterMetrics?) -> String {
        if let audit {
            auditQueueDepth.set(to: Double(audit.queueDepth))
            auditDropped.set(to: Double(audit.dropped))
            auditWritten.set(to: Double(audit.written))
            auditAvailable.set(to: audit.isDatabaseAvailable ? 1.0 : 0.0)
        }
        return registry.emitToString()
    }
}
