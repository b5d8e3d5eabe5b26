import ArgumentParser

@main
struct WardenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "A Llama Guard-style safety guard: classify, filter, audit and evaluate LLM traffic.",
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
}
