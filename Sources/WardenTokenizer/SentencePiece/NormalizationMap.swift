import Foundation

/// A per-scalar replacement table (the normalisation of the XLM-R SentencePiece model, as the multilingual base
/// ships it): each listed scalar becomes zero or more scalars; unlisted scalars stay as they are.
///
/// File format (`normalization.tsv`): one entry per line, the scalar in hex, a tab, then the replacement
/// scalars in hex separated by spaces (nothing after the tab deletes the scalar). Lines are sorted by scalar.
public struct NormalizationMap: Sendable, Equatable {
    /// Sorted source scalars, for binary search.
    let sources: [UInt32]
    /// Replacement of `sources[i]`: `replacements[offsets[i]..<offsets[i + 1]]`.
    let offsets: [Int32]
    let replacements: [UInt32]

    public var count: Int { sources.count }

    /// Builds a map from scalar values to their replacements.
    public init(_ entries: [UInt32: [UInt32]]) {
        var sources: [UInt32] = [], offsets: [Int32] = [0], replacements: [UInt32] = []
        for (source, replacement) in entries.sorted(by: { $0.key < $1.key }) {
            sources.append(source)
            replacements += replacement
            offsets.append(Int32(replacements.count))
        }
        (self.sources, self.offsets, self.replacements) = (sources, offsets, replacements)
    }

    /// Loads `normalization.tsv`.
    /// - Throws: ``SentencePieceError`` naming the file and line.
    public init(contentsOf url: URL) throws {
        var entries: [UInt32: [UInt32]] = [:]
        for (index, line) in try TextLines.read(url).enumerated() {
            func fail(_ reason: String) -> SentencePieceError {
                .malformedLine(path: url.path, line: index + 1, reason: reason)
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { throw fail("expected `scalar<TAB>replacement`, found \(fields.count) field(s)") }
            guard let source = UInt32(fields[0], radix: 16), Unicode.Scalar(source) != nil else {
                throw fail("\"\(fields[0])\" is not a Unicode scalar in hex")
            }
            var replacement: [UInt32] = []
            for item in fields[1].split(separator: " ") {
                guard let value = UInt32(item, radix: 16), Unicode.Scalar(value) != nil else {
                    throw fail("replacement \"\(item)\" is not a Unicode scalar in hex")
                }
                replacement.append(value)
            }
            guard entries.updateValue(replacement, forKey: source) == nil else {
                throw fail("scalar \(fields[0]) is listed twice")
            }
        }
        self.init(entries)
    }

    /// The file contents ``init(contentsOf:)`` reads.
    public func serialized() -> String {
        var out = ""
        for (i, source) in sources.enumerated() {
            let replacement = replacements[Int(offsets[i])..<Int(offsets[i + 1])]
            out += hex(source) + "\t" + replacement.map(hex).joined(separator: " ") + "\n"
        }
        return out
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Appends the replacement of `scalar` (itself when unlisted) to `output`.
    @inline(__always)
    func append(_ scalar: UInt32, to output: inout [UInt32]) {
        var low = 0, high = sources.count - 1
        while low <= high {
            let middle = (low + high) >> 1
            let value = sources[middle]
            if value == scalar {
                output.append(contentsOf: replacements[Int(offsets[middle])..<Int(offsets[middle + 1])])
                return
            }
            if value < scalar { low = middle + 1 } else { high = middle - 1 }
        }
        output.append(scalar)
    }
}
