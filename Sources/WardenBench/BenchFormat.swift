import Foundation

/// Number formatting shared by the benchmark reports (fixed decimals, right-aligned, thousands grouped).
public enum BenchFormat {
    public static func fixed(_ value: Double, _ decimals: Int, width: Int = 0) -> String {
        pad(String(format: "%.\(decimals)f", value), width)
    }

    public static func pad(_ value: Int, _ width: Int) -> String { pad(String(value), width) }

    public static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    public static func percent(_ share: Double?) -> String {
        share.map { "\(Int(($0 * 100).rounded()))%" } ?? "n/a"
    }

    /// The value at quantile `p` (0…1) of ascending `sorted`, nearest rank; 0 when empty.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }

    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

extension Duration {
    /// Seconds as a `Double`.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
