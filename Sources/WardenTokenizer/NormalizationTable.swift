import Foundation

/// What the BERT normalizer does with each Basic Multilingual Plane scalar, precomputed once, so that
/// non-ASCII text (accents aside) skips Foundation's NFD and the Unicode property lookups.
///
/// The table is derived from the same rules as the slow path (``ScalarClass``, NFD, Rust's Mn set,
/// lowercase mapping); scalars whose handling depends on their neighbours stay on the slow path.
enum NormalizationTable {
    enum Kind: UInt32 {
        /// Needs the slow path: NFD changes it, it is a combining character (ccc ≠ 0), or it lowercases to
        /// more than one scalar. Collected into a run and normalized with its neighbours.
        case complex = 0
        /// Deleted by cleaning, or a nonspacing mark that NFD leaves alone: dropped, and the word goes on.
        case drop
        case whitespace
        /// Its own word (after lowercasing, which punctuation never changes).
        case punctuation
        /// A CJK ideograph (after NFD, which maps compatibility ideographs to unified ones): its own word.
        case ideograph
        /// Part of a word, as its lowercase form.
        case word
    }

    /// Kind in the top 8 bits, replacement scalar (the lowercase form) in the low 24 bits.
    static let entries: [UInt32] = build()

    @inline(__always)
    static func lookup(_ value: UInt32) -> (kind: Kind, replacement: Unicode.Scalar) {
        let entry = entries[Int(value)]
        return (Kind(rawValue: entry >> 24) ?? .complex, Unicode.Scalar(entry & 0xFF_FFFF) ?? "\u{FFFD}")
    }

    private static func build() -> [UInt32] {
        let candidates = (0x80..<0x10000).compactMap { Unicode.Scalar(UInt32($0)) }
        // One Foundation call decomposes them all; "\n" separates them (no canonical decomposition has one).
        let joined = String(scalars: candidates.flatMap { [$0, "\n"] })
        let decompositions = joined.decomposedStringWithCanonicalMapping.unicodeScalars
            .split(separator: "\n", omittingEmptySubsequences: false)
        var entries = [UInt32](repeating: 0, count: 0x10000)
        for (scalar, decomposition) in zip(candidates, decompositions) {
            let isStable = decomposition.count == 1 && decomposition.first == scalar
            var kind = classify(scalar, nfdStable: isStable)
            var replacement = lowercase(scalar) ?? scalar
            // Compatibility ideographs (U+F900…) decompose to one unified ideograph: still a word of their own.
            if ScalarClass.classify(scalar) == .cjkIdeograph, decomposition.count == 1, let unified = decomposition.first {
                kind = .ideograph
                replacement = unified
            }
            entries[Int(scalar.value)] = (kind.rawValue << 24) | replacement.value
        }
        return entries
    }

    private static func classify(_ scalar: Unicode.Scalar, nfdStable: Bool) -> Kind {
        switch ScalarClass.classify(scalar) {
        case .deleted: return .drop
        case .whitespace: return .whitespace
        case .cjkIdeograph: return nfdStable ? .ideograph : .complex
        case .punctuation, .word: break
        }
        guard nfdStable else { return .complex }
        if ScalarClass.rustCategory(of: scalar) == .nonspacingMark { return .drop }
        guard scalar.properties.canonicalCombiningClass == .notReordered else { return .complex }
        let lowered = lowercase(scalar) ?? scalar
        guard scalar.properties.changesWhenLowercased == false || lowercase(scalar) != nil else { return .complex }
        // The pre-tokenizer classifies what lowercasing produced.
        switch lowered.isASCII ? ScalarClass.ascii[Int(lowered.value)] : ScalarClass.classify(lowered) {
        case .whitespace: return .whitespace
        case .punctuation: return .punctuation
        case .word, .cjkIdeograph, .deleted: return .word
        }
    }

    /// The single-scalar lowercase form, or nil when lowercasing gives several scalars (or none is needed).
    private static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        guard scalar.properties.changesWhenLowercased else { return nil }
        let mapping = scalar.properties.lowercaseMapping.unicodeScalars
        return mapping.count == 1 ? mapping.first : nil
    }
}
