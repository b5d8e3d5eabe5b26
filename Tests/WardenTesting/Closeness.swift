import Testing

/// Expects two float vectors of one length whose largest absolute difference is at most `atol`.
public func expectClose(
    _ actual: [Float], _ expected: [Float], atol: Float, _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): length \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    let diff = maxAbsDifference(actual, expected)
    #expect(diff <= atol, "\(what): max |diff| \(diff) > \(atol)", sourceLocation: sourceLocation)
}

public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
