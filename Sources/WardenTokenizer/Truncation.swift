/// How many pieces of each segment survive truncation.
enum Truncation {
    /// - Parameters:
    ///   - first: piece count of the first segment.
    ///   - second: piece count of the second segment, nil for a single segment.
    ///   - budget: pieces allowed in total (the maximum length minus the special tokens); negative counts as 0.
    /// - Returns: the kept piece counts (0 for a missing second segment).
    static func keptLengths(first: Int, second: Int?, budget: Int,
                            strategy: TruncationStrategy) -> (first: Int, second: Int) {
        let budget = max(budget, 0)
        let secondCount = second ?? 0
        guard first + secondCount > budget else { return (first, secondCount) }
        switch strategy {
        case .leftOfFirst:
            let keptSecond = min(secondCount, budget)
            return (budget - keptSecond, keptSecond)
        case .longestFirst:
            guard second != nil else { return (budget, 0) }
            return longestFirst(first: first, second: secondCount, budget: budget)
        }
    }

    /// Mirrors `truncate_encodings` in `tokenizers/src/utils/truncation.rs` (LongestFirst): the shorter segment
    /// (the first on a tie) keeps everything if it fits in half the budget and the longer takes the rest;
    /// otherwise the shorter gets `budget / 2` and the longer `budget / 2 + budget % 2`.
    private static func longestFirst(first: Int, second: Int, budget: Int) -> (first: Int, second: Int) {
        let swapped = first > second
        let shorter = swapped ? second : first
        var keptShorter = shorter
        var keptLonger = shorter > budget ? shorter : max(shorter, budget - shorter)
        if keptShorter + keptLonger > budget {
            keptShorter = budget / 2
            keptLonger = keptShorter + budget % 2
        }
        let longer = swapped ? first : second
        keptShorter = min(keptShorter, shorter)
        keptLonger = min(keptLonger, longer)
        return swapped ? (keptLonger, keptShorter) : (keptShorter, keptLonger)
    }
}
