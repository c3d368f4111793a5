import Testing
import UsherConfig
@testable import UsherRouting

/// The runtime API's protocol alone: no socket, a fake executor that echoes the command.
struct RuntimeAPISessionStateMachineTests {
    /// Echoes `words` joined, so the framing is what is under test.
    static func echo(_ request: RuntimeAPIRequest, _ level: RuntimeAPILevel) -> RuntimeAPIReply {
        .output(request.words.joined(separator: " ") + "\n")
    }

    func feed(_ machine: inout RuntimeAPISessionStateMachine, _ text: String) -> (output: String, closed: Bool) {
        let actions = machine.receive(Array(text.utf8), execute: Self.echo)
        var output = ""
        var closed = false
        for action in actions {
            switch action {
            case .write(let text): output += text
            case .close, .handOverListeners: closed = true
            }
        }
        return (output, closed)
    }

    @Test func oneCommandThenClose() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        let (output, closed) = feed(&machine, "show backend\n")
        #expect(output == "show backend\n\n")
        #expect(closed)
    }

    @Test func waitsForTheEndOfTheLine() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&machine, "show ") == ("", false))
        #expect(feed(&machine, "backend") == ("", false))
        #expect(feed(&machine, "\n") == ("show backend\n\n", true))
    }

    @Test func severalLinesInOneReadAreAllAnswered() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&machine, "show version\nshow backend\n") == ("show version\n\nshow backend\n\n", true))
    }

    @Test func semicolonsSeparateCommands() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&machine, "show version;show backend\n") == ("show version\n\nshow backend\n\n", true))
        var escaped = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&escaped, "show env a\\;b\n").output == "show env a;b\n\n")
        #expect(RuntimeAPIRequest.parse(line: Array("  show   stat\t-1 ".utf8)) == [RuntimeAPIRequest(words: ["show", "stat", "-1"])])
    }

    @Test func promptKeepsTheConnectionAndPrompts() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&machine, "prompt\n") == ("\n> ", false))
        #expect(machine.isInteractive)
        #expect(feed(&machine, "show version\n") == ("show version\n\n> ", false))
        #expect(feed(&machine, "show version\nshow backend\n") == ("show version\n\n> show backend\n\n> ", false))
        // A second `prompt` leaves interactive mode: its answer, then the close.
        #expect(feed(&machine, "prompt\n") == ("\n", true))
    }

    @Test func quitClosesWithoutAWord() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&machine, "quit\n") == ("", true))
        var interactive = RuntimeAPISessionStateMachine(level: .admin)
        _ = feed(&interactive, "prompt\n")
        #expect(feed(&interactive, "show version;quit;show backend\n") == ("show version\n\n> ", true))
    }

    @Test func aLineLongerThanTheBufferClosesTheConnection() {
        var machine = RuntimeAPISessionStateMachine(level: .admin, lineLimit: 16_384)
        #expect(feed(&machine, String(repeating: "a", count: 10_000)) == ("", false))
        #expect(feed(&machine, String(repeating: "a", count: 10_000)) == ("", true))
        #expect(machine.isClosed)
        #expect(feed(&machine, "show version\n") == ("", false))
        // The same, with the newline arriving in the same read.
        var other = RuntimeAPISessionStateMachine(level: .admin, lineLimit: 100)
        #expect(feed(&other, String(repeating: "b", count: 200) + "\n") == ("", true))
        // Exactly at the limit is fine.
        var fits = RuntimeAPISessionStateMachine(level: .admin, lineLimit: 100)
        #expect(feed(&fits, "show " + String(repeating: "c", count: 95) + "\n").closed)
        #expect(fits.isClosed)
    }

    @Test func levelsAreEnforcedBeforeTheArguments() {
        var user = RuntimeAPISessionStateMachine(level: .user)
        #expect(feed(&user, "set server be/nosuch state ready\n").output == "Permission denied\n\n")
        var user2 = RuntimeAPISessionStateMachine(level: .user)
        #expect(feed(&user2, "show sess\n").output == "Permission denied\n\n")
        var user3 = RuntimeAPISessionStateMachine(level: .user)
        #expect(feed(&user3, "show stat\n").output == "show stat\n\n")
        var operatorLevel = RuntimeAPISessionStateMachine(level: .operator)
        #expect(feed(&operatorLevel, "show sess;clear counters;disable server be/s1\n").output == "show sess\n\nclear counters\n\nPermission denied\n\n")
    }

    @Test func aSessionsLevelOnlyGoesDown() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        _ = feed(&machine, "prompt\n")
        #expect(feed(&machine, "show cli level\n").output == "admin\n\n> ")
        #expect(feed(&machine, "operator\n").output == "\n> ")
        #expect(feed(&machine, "show cli level\n").output == "operator\n\n> ")
        #expect(feed(&machine, "disable server be/s1\n").output == "Permission denied\n\n> ")
        #expect(feed(&machine, "user\n").output == "\n> ")
        #expect(feed(&machine, "operator\n").output == "Permission denied\n\n> ")
        #expect(feed(&machine, "show cli level\n").output == "user\n\n> ")
    }

    @Test func rawRepliesHaveNoBlankLine() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        _ = feed(&machine, "prompt\n")
        let actions = machine.receive(Array("set server a/b weight abc\n".utf8)) { _, _ in .raw("Empty weight string empty or preceded by garbage\n") }
        #expect(actions == [.write("Empty weight string empty or preceded by garbage\n> ")])
    }

    @Test func unknownCommandsAndEmptyLinesGetHAProxysAnswer() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        let empty = feed(&machine, "\n").output
        // HAProxy 2.6's list starts with `add acl` too.
        #expect(empty.hasPrefix("Unknown command. Please enter one of the following commands only:\n  add acl [@<ver>] <acl> <pattern>        : add an acl entry\n"))
        #expect(empty.hasSuffix("  quit                                    : disconnect\n\n"))
        var other = RuntimeAPISessionStateMachine(level: .admin)
        let unknown = feed(&other, "foo\n").output
        #expect(unknown.hasPrefix("Unknown command, but maybe one of the following ones is a better match:\n"))
        #expect(unknown.contains("  show info [desc|json|typed|float]*      : report information about the running process\n"))
        #expect(unknown.contains("  user                                    : lower the level of the current CLI session to user\n"))
        #expect(unknown.hasSuffix("  help [<command>]                        : list matching or all commands\n  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n\n"))
        // `set maxconn` alone lists the three `set maxconn` commands.
        let maxconn = RuntimeAPICommandCatalogue.unknownCommand(["set", "maxconn"])
        #expect(maxconn == "Unknown command, but maybe one of the following ones is a better match:\n"
            + "  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n"
            + "  set maxconn global <value>              : change the per-process maxconn setting\n"
            + "  set maxconn server <bk>/<srv>           : change a server's maxconn setting\n"
            + "  help [<command>]                        : list matching or all commands\n"
            + "  prompt                                  : toggle interactive mode with prompt\n"
            + "  quit                                    : disconnect\n")
    }

    @Test func helpListsEveryCommandInHAProxysLayout() {
        let help = RuntimeAPICommandCatalogue.help([])
        #expect(help.hasPrefix("The following commands are valid at this level:\n"))
        #expect(help.contains("  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n"))
        #expect(help.contains("  get weight <bk>/<srv>                   : report a server's current weight\n"))
        let show = RuntimeAPICommandCatalogue.help(["show"])
        #expect(!show.contains("get weight"))
        #expect(show.contains("show sess"))
    }

    @Test func idleTimeoutAndInputCloseEndTheSession() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(feed(&machine, "show ver") == ("", false))
        #expect(machine.idleTimeout() == [.close])
        #expect(machine.idleTimeout() == [])
        var other = RuntimeAPISessionStateMachine(level: .admin)
        #expect(other.inputClosed() == [.close])
    }
}
