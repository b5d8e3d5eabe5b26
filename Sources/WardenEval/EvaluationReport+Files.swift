import Foundation

/// A problem writing or reading report files.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case unwritable(file: String, reason: String)
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case .unwritable(let file, let reason): "\(file): cannot write the report (\(reason))"
        case .unreadable(let file, let reason): "\(file): cannot read the report (\(reason))"
        }
    }

    public var errorDescription: String? { description }
}

extension EvaluationReport {
    /// Pretty-printed JSON with sorted keys, so two runs on the same data give the same bytes.
    public func jsonData() throws(ReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw .unwritable(file: "report.json", reason: "\(error)")
        }
    }

    /// Reads a report written by ``jsonData()`` (for example to compare two runs).
    public static func load(_ url: URL) throws(ReportError) -> EvaluationReport {
        do {
            return try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: url))
        } catch {
            throw .unreadable(file: url.path, reason: "\(error)")
        }
    }

    /// Writes `report.json`, `report.md`, `report.html` (everything on one self-contained page, with `comparison`
    /// when given), `precision-recall.svg` (all labels) and one `reliability-<label>.svg` per label into `directory`,
    /// creating it if needed.
    /// - Returns: the files written.
    @discardableResult
    public func write(to directory: URL, title: String = "Warden evaluation report", comparison: PairedComparison? = nil) throws(ReportError) -> [URL] {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(file: directory.path, reason: "\(error.localizedDescription)")
        }
        var files: [(String, Data)] = [
            ("report.json", try jsonData()),
            ("report.md", Data(markdown().utf8)),
            ("report.html", Data(html(title: title, comparison: comparison).utf8)),
            ("precision-recall.svg", Data(SVGChart.precisionRecall(labels).utf8)),
        ]
        for label in labels {
            files.append(("reliability-\(Self.fileSafe(label.label)).svg", Data(SVGChart.reliability(label).utf8)))
        }
        var written: [URL] = []
        for (name, data) in files {
            let url = directory.appendingPathComponent(name)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw .unwritable(file: url.path, reason: error.localizedDescription)
            }
            written.append(url)
        }
        return written
    }

    /// A label name reduced to characters safe in a file name.
    static func fileSafe(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }
}
