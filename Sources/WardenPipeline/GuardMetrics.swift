import Metrics
import WardenCore

/// The names and meanings of the guard's metrics, named by Prometheus conventions (counters end in `_total`,
/// durations are timers exported in seconds), so an exporter can publish them as they are, with help text.
public enum GuardMetricNames {
    public static let decisions = "warden_guard_decisions_total"
    public static let violations = "warden_guard_violations_total"
    public static let refusals = "warden_guard_refusals_total"
    public static let classifierFailures = "warden_guard_classifier_failures_total"
    public static let auditFailures = "warden_guard_audit_failures_total"
    public static let checkDuration = "warden_guard_check_duration_seconds"
    public static let inferenceDuration = "warden_guard_inference_duration_seconds"
    public static let inferenceBatchInputs = "warden_guard_inference_batch_inputs"

    /// Help text by metric name.
    public static let help: [String: String] = [
        decisions: "Checks that produced a verdict, by decision, direction, source and policy",
        violations: "Categories that fired, by category, decision and direction",
        refusals: "Checks that ended in an error instead of a verdict, by reason",
        classifierFailures: "Classifier calls that failed, by kind (timeout or error)",
        auditFailures: "Audit events the store refused or could not confirm",
        checkDuration: "Time of one check from screening to verdict, by direction",
        inferenceDuration: "Time of one classifier call of the guard (queue wait included)",
        inferenceBatchInputs: "Inputs per classifier call of the guard",
    ]
}

/// The guard's counters and timers (swift-metrics; names in ``GuardMetricNames``). The service passes an
/// exporter's factory; without one they go to the bootstrapped `MetricsSystem` (no-ops by default).
///
/// - decisions {decision, direction, source, policy}: checks that produced a verdict.
/// - violations {category, decision, direction}: categories that fired.
/// - refusals {reason}: checks that ended in a ``GuardError``.
/// - classifier failures {kind: timeout|error}; audit failures.
/// - check duration {direction} and inference duration: timers.
struct GuardMetrics: Sendable {
    /// `nil` uses the process-wide factory (``MetricsSystem/factory``), looked up at each use so a
    /// bootstrap after the guard was built still counts.
    let explicitFactory: (any MetricsFactory)?

    private var factory: any MetricsFactory { explicitFactory ?? MetricsSystem.factory }

    enum Refusal: String {
        case policyNotFound = "policy_not_found"
        case overLimits = "over_limits"
        case classifierFailed = "classifier_failed"
        case auditUnavailable = "audit_unavailable"
    }

    func decided(_ result: GuardResult, policyID: String) {
        let direction = result.verdict.direction.rawValue
        Counter(label: GuardMetricNames.decisions, dimensions: [
            ("decision", result.verdict.decision.rawValue), ("direction", direction),
            ("source", result.source.rawValue), ("policy", policyID),
        ], factory: factory).increment()
        for violation in result.verdict.violations {
            Counter(label: GuardMetricNames.violations, dimensions: [
                ("category", violation.category.rawValue), ("decision", violation.decision.rawValue),
                ("direction", direction),
            ], factory: factory).increment()
        }
        Timer(label: GuardMetricNames.checkDuration, dimensions: [("direction", direction)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(result.latency))
    }

    func inference(_ duration: Duration, batchSize: Int) {
        Timer(label: GuardMetricNames.inferenceDuration, factory: factory).recordNanoseconds(Self.nanoseconds(duration))
        Recorder(label: GuardMetricNames.inferenceBatchInputs, factory: factory).record(batchSize)
    }

    func refused(_ reason: Refusal) {
        Counter(label: GuardMetricNames.refusals, dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    func classifierFailure(_ error: any Error) {
        let kind = if case ClassifierError.timedOut = error { "timeout" } else { "error" }
        Counter(label: GuardMetricNames.classifierFailures, dimensions: [("kind", kind)], factory: factory).increment()
    }

    func auditFailure() {
        Counter(label: GuardMetricNames.auditFailures, factory: factory).increment()
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
