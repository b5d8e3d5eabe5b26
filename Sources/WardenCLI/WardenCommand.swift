import ArgumentParser

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
}
