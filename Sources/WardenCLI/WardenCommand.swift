import ArgumentParser
import Foundation

@main
struct WardenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "A Llama Guard-style safety guard: classify, filter, audit and evaluate LLM traffic.",
        version: WardenCommand.version,
        subcommands: [
            Model.self,
            DataCommand.self,
            Train.self,
            Check.self,
            Eval.self,
            TaxonomyCommand.self,
            PolicyCommand.self,
            Audit.self,
            Serve.self,
            Bench.self,
        ]
    )

    /// The release of the tool (the model's version is in its bundle: `warden model info`).
    static let version = "0.5.0 (2026-12-03)"

    /// ArgumentParser prints a library error with `String(describing:)` on Linux, which shows an enum case
    /// (`missing(file: ...)`) instead of the sentence that says what to fix; every command's errors pass here.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as any LocalizedError where error.errorDescription != nil {
            exit(withError: ExplainedError(of: error))
        } catch {
            exit(withError: error)  // ArgumentParser's own errors and exit codes keep their handling
        }
    }
}

/// An error shown by what it says to fix: a library error's `errorDescription` (ArgumentParser and
/// `String(describing:)` on Linux would print the enum case, `missing(file: ...)`), any other error as itself.
struct ExplainedError: Error, CustomStringConvertible {
    let underlying: any Error

    init(of error: any Error) { underlying = error }

    var description: String {
        if let localized = underlying as? any LocalizedError, let text = localized.errorDescription { return text }
        return String(describing: underlying)
    }
}
