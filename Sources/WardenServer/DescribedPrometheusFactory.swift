import Metrics
import Prometheus
import WardenPipeline

/// A swift-metrics factory onto the server's Prometheus registry that publishes metrics under their own names
/// with help text (swift-prometheus's own factory gives none), so `/metrics` passes `promtool check metrics`.
struct DescribedPrometheusFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    /// Help text by metric name; a metric without an entry is published with its name as help.
    let help: [String: String]
    let durationBuckets: [Duration]
    let valueBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    private func describe(_ label: String) -> String { help[label] ?? label }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: describe(label))
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: describe(label))
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(name: label, labels: dimensions, help: describe(label)) }
        return registry.makeValueHistogram(name: label, labels: dimensions, buckets: valueBuckets, help: describe(label))
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: describe(label))
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(name: label, labels: dimensions, buckets: durationBuckets, help: describe(label))
    }

    // Metrics live as long as the registry: label sets are bounded by routes, policies and categories.
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

extension ServerMetrics {
    /// Where the guard's counters and timers go: this registry, under their own names, with help text.
    var guardMetricsFactory: any MetricsFactory {
        DescribedPrometheusFactory(registry: registry, help: GuardMetricNames.help, durationBuckets: Self.latencyBuckets)
    }
}
