import ArgumentParser

/// The `usher` command: HAProxy-compatible flags to run a configuration, and `usher demo`.
@main
struct Usher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usher",
        abstract: "A reverse proxy and load balancer that runs HAProxy configurations.",
        subcommands: [RunCommand.self, DemoCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
