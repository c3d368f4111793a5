import ArgumentParser

/// `usher demo`: the seed's topology on unprivileged ports with stand-in services.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the seed's setup (pump.io and a web server sharing ports 80 and 443) on local ports with stand-in services."
    )

    @Flag(help: "Print the embedded configuration and exit.")
    var printConfig = false

    func run() throws {
        throw ExitCode(1)
    }
}
