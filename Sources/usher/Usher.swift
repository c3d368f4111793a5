import ArgumentParser

/// The `usher` command: HAProxy-compatible flags to run a configuration, and `usher demo`.
@main
struct Usher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usher",
        abstract: "A reverse proxy and load balancer that runs HAProxy configurations.",
        discussion: "The flags are HAProxy's: 'usher run --help' describes each one.\n\n" + DebugSwitches.help,
        subcommands: [RunCommand.self, DemoCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// Parses HAProxy's command line: its `-d…` switches are first put in a shape the parser reads.
    static func main() {
        let arguments = DebugSwitches.rewrite(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
