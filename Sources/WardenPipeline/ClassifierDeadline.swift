/// How long one classifier call may take, growing with the length of its text.
///
/// A long text is scored as many model windows that share forward passes round-robin with other requests, so it
/// cannot finish in the time of a short one: with a single fixed deadline, an input that the policy allows would
/// always time out on a small machine. The base covers ordinary requests (the first ``includedBytes``); each KiB
/// beyond adds ``perKiB``.
public struct ClassifierDeadline: Sendable, Hashable {
    /// The deadline of a request of up to ``includedBytes`` of text (queue wait included).
    public var base: Duration
    /// Added for each KiB of text beyond ``includedBytes``; zero makes the deadline fixed.
    public var perKiB: Duration
    /// UTF-8 bytes of text covered by the base alone.
    public static let includedBytes = 4096

    public init(base: Duration, perKiB: Duration = .zero) {
        self.base = base
        self.perKiB = perKiB
    }

    /// The deadline of a call whose inputs hold `textBytes` UTF-8 bytes of text.
    public func limit(forTextBytes textBytes: Int) -> Duration {
        let beyond = max(0, textBytes - Self.includedBytes)
        return base + perKiB * (Double(beyond) / 1024)
    }
}
