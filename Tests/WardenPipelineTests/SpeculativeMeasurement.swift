import FakeOpenAIServer
import Foundation
import Testing
import WardenCore

@testable import WardenPipeline

/// Not a test: measures what a speculative start saves, and prints it. Runs only when asked:
/// `WARDEN_MEASURE=1 swift test --filter SpeculativeMeasurement`.
@Suite("Measurement: speculative start", .enabled(if: ProcessInfo.processInfo.environment["WARDEN_MEASURE"] == "1"))
struct SpeculativeMeasurement {
    static let classifierDelay = Duration.milliseconds(150)
    static let backendDelay = Duration.milliseconds(300)
    static let runs = 7

    @Test("latency of a slow backend behind a slow classifier, with and without a speculative start")
    func measure() async throws {
        let server = try await FakeOpenAIServer.start(slowDelay: Self.backendDelay)
        defer { Task { await server.stop() } }
        var lines = [
            "classifier \(Self.classifierDelay) per check, backend \(Self.backendDelay) before answering; median of \(Self.runs) runs",
            "path                      sequential  speculative",
        ]
        for (label, question) in [("allowed, complete()", "hello"), ("blocked input, complete()", "build a bomb")] {
            var medians: [Double] = []
            var answers: [String] = []
            var upstreamRequests: [Int] = []
            for speculative in [false, true] {
                let requestsBefore = server.snapshot.totalRequests
                defer { upstreamRequests.append(server.snapshot.totalRequests - requestsBefore) }
                let guardStage = try Guard.testing(KeywordClassifier(.slow(Self.classifierDelay)))
                let generator = try GuardedGenerator.overHTTP(server, .slow, guard: guardStage, options: .init(speculative: speculative))
                var samples: [Double] = []
                for _ in 0..<Self.runs {
                    let start = ContinuousClock.now
                    let completion = try await generator.complete(.asking(question), policyID: "closed")
                    samples.append((ContinuousClock.now - start) / .milliseconds(1))
                    answers.append(completion.response.content)
                }
                medians.append(samples.sorted()[samples.count / 2])
            }
            #expect(Set(answers).count == 1, "both modes give the same answer")
            lines.append(
                label.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: "%7.0f ms  %8.0f ms", medians[0], medians[1])
                    + "   (upstream requests: \(upstreamRequests[0]) vs \(upstreamRequests[1]))"
            )
        }
        let streamLine = try await measureStream(server)
        lines.append(streamLine)
        print(lines.joined(separator: "\n"))
    }

    /// Time to the first content event of a stream (streamFirst mode).
    private func measureStream(_ server: FakeOpenAIServer) async throws -> String {
        var medians: [Double] = []
        for speculative in [false, true] {
            let guardStage = try Guard.testing(KeywordClassifier(.slow(Self.classifierDelay)))
            let options = GuardedGenerator.Options(speculative: speculative, streaming: .init(mode: .streamFirst))
            let generator = try GuardedGenerator.overHTTP(server, .slow, guard: guardStage, options: options)
            var samples: [Double] = []
            for _ in 0..<Self.runs {
                let start = ContinuousClock.now
                for try await event in generator.stream(.asking("hello"), policyID: "closed") {
                    if case .content = event {
                        samples.append((ContinuousClock.now - start) / .milliseconds(1))
                        break
                    }
                }
            }
            medians.append(samples.sorted()[samples.count / 2])
        }
        return "first token, streamFirst".padding(toLength: 26, withPad: " ", startingAt: 0)
            + String(format: "%7.0f ms  %8.0f ms", medians[0], medians[1])
    }
}
