import ArgumentParser
import Foundation
import WardenBench

/// `warden bench serve`: ``ServiceLoadTest`` against a running `warden serve`, on this machine only.
struct BenchServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Load-test a running warden serve on 127.0.0.1: throughput, latency percentiles, status counts, RSS.",
        discussion: """
        warden bench serve --concurrency 16 --duration 20                  # closed loop: maximum throughput
        warden bench serve --rate 40 --duration 30                         # open loop at 40 requests/s
        warden bench serve --rate 200 --duration 20 --server-pid $(pgrep -f 'warden serve')   # overload, RSS
        """
    )

    @Option(help: "Server address; only loopback addresses are accepted.") var url = "http://127.0.0.1:8080"
    @Option(help: "Route to load.") var endpoint: ServiceLoadTest.Endpoint = .moderations
    @Option(help: "Closed loop: clients sending back to back.") var concurrency: Int?
    @Option(help: "Open loop: requests started per second.") var rate: Double?
    @Option(help: "Seconds to run (at most 3600).") var duration: Double = 10
    @Option(help: "Words per input text (the text is synthetic and benign).") var words = 24
    @Option(help: "Inputs per moderation request.") var items = 1
    @Option(help: "Bearer token to send.") var token: String?
    @Option(help: "Process id of the server, to sample its resident memory every second.") var serverPid: Int32?
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (concurrency == nil) != (rate == nil) else { throw ValidationError("Give exactly one of --concurrency N or --rate R.") }
        guard duration > 0, duration <= 3_600 else { throw ValidationError("--duration must be in (0, 3600] seconds.") }
        if let concurrency, !(1...4_096).contains(concurrency) { throw ValidationError("--concurrency must be in 1...4096.") }
        if let rate, !(rate > 0 && rate <= 100_000) { throw ValidationError("--rate must be in (0, 100000].") }
        guard let host = URL(string: url)?.host, ServiceLoadTest.isLoopback(host) else {
            throw ValidationError("--url must point at this machine (127.0.0.0/8, localhost or [::1]); got \(url)")
        }
    }

    func run() async throws {
        let load: ServiceLoadTest.Load = if let concurrency { .clients(concurrency) } else { .rate(rate ?? 1) }
        let test = ServiceLoadTest(
            baseURL: url, endpoint: endpoint, load: load, seconds: duration, words: words, items: items, bearerToken: token,
            serverPID: serverPid)
        let summary = try await test.run()
        print(json ? summary.json : summary.text)
    }
}

extension ServiceLoadTest.Endpoint: ExpressibleByArgument {}
