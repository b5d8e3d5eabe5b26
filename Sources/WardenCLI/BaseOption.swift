import ArgumentParser
import WardenModel

/// `--base`: which pinned base encoder a command uses.
struct BaseOption: ParsableArguments {
    @Option(help: "Base encoder: \(BaseModelSpec.all.map(\.name).joined(separator: ", ")).")
    var base = BaseModelSpec.miniLM.name

    func spec() throws -> BaseModelSpec {
        guard let spec = BaseModelSpec.named(base) else {
            throw ValidationError("unknown --base \(base); known bases: \(BaseModelSpec.all.map(\.name).joined(separator: ", "))")
        }
        return spec
    }
}
