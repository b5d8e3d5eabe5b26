import Metrics
import WardenCore

/// The guard's counters and timers (swift-metrics). The service bootstraps an exporter; without one
/// they are no-ops.
///
/// - `guard.decisions` {decision, direction, source, policy}: checks that produced a verdict.
/// - `guard.violations` {category, decision, direction}: categories that fired.
/// - `guard.refusals` {reason}: checks that ended in a ``GuardError``.
/// - `guard.classifier.failures` {kind: timeout|error}.
/// - `guard.audit.failures`.
/// - `guard.check.duration` {direction} and `guard.inference.duration`: timers.
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
        Counter(label: "guard.decisions", dimensions: [
            ("decision", result.verdict.decision.rawValue), ("direction", direction),
            ("source", result.source.rawValue), ("policy", policyID),
        ], factory: factory).increment()
        for violation in result.verdict.violations {
            Counter(label: "guard.violations", dimensions: [
                ("category", violation.category.rawValue), ("decision", violation.decision.rawValue),
                ("direction", direction),
            ], factory: factory).increment()
        }
        Timer(label: "guard.check.duration", dimensions: [("direction", direction)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(result.latency))
    }

    func inference(_ duration: Duration, batchSize: Int) {
        Timer(label: "guard.inference.duration", factory: factory).recordNanoseconds(Self.nanoseconds(duration))
        Recorder(label: "guard.inference.batch_size", factory: factory).record(batchSize)
    }

    func refused(_ reason: Refusal) {
        Counter(label: "guard.refusals", dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }

    func classifierFailure(_ error: any Error) {
        let kind = if case ClassifierError.timedOut = error { "timeout" } else { "error" }
        Counter(label: "guard.classifier.failures", dimensions: [("kind", kind)], factory: factory).increment()
    }

    func auditFailure() {
        Counter(label: "guard.audit.failures", factory: factory).increment()
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
