import UsherConfig

/// One connection to the master CLI (`-S`), without I/O: bytes in, text and a close out.
///
/// The framing is the runtime API's (lines, `;` between commands, `prompt`, `quit`; without
/// `prompt` the connection closes once its lines are answered). What differs is the target: a
/// command goes to the master itself, or to a worker named by a prefix — `@N` (the N-th current
/// worker, from 1), `@!PID` (any worker, old ones included), `@master` or `@` (the master). A
/// prefix alone on a command makes it the target of the commands that follow, and the prompt
/// shows it (`master> `, `PID> `). Commands for a worker are passed on as text to `forward`,
/// which the driver implements over that worker's runtime API.
public struct MasterCLIStateMachine: Sendable {
    public enum Action: Sendable, Equatable {
        case write(String)
        /// Reload (as SIGUSR2 to the master). The connection closes first, as in HAProxy.
        case reload
        case close
    }

    /// What the master knows of its processes when a command runs.
    public struct Processes: Sendable {
        /// Current workers first (their relative numbers start at 1), then old ones.
        public var current: [Int32]
        public var old: [Int32]
        public init(current: [Int32], old: [Int32]) {
            self.current = current
            self.old = old
        }
    }

    enum Target: Sendable, Equatable {
        case master
        case worker(Int32)
    }

    private var interactive = false
    private var closed = false
    private var target = Target.master
    private var pending: [UInt8] = []
    public let lineLimit: Int
    public private(set) var level: RuntimeAPILevel

    public init(level: RuntimeAPILevel = .admin, lineLimit: Int = 16_384) {
        self.level = level
        self.lineLimit = lineLimit
    }

    public var isClosed: Bool { closed }

    /// Bytes arrived. `showProc` gives `show proc`'s text; `forward` runs a command text on a
    /// worker and returns its answer (nil if it cannot be reached).
    public mutating func receive(
        _ bytes: some Sequence<UInt8>, processes: Processes, showProc: () -> String, version: String,
        forward: (Int32, String) -> String?
    ) -> [Action] {
        guard !closed else { return [] }
        pending.append(contentsOf: bytes)
        var output = ""
        var actions: [Action] = []
        var answeredLine = false
        while !closed, let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            guard newline <= lineLimit else { break }
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            answeredLine = true
            for request in RuntimeAPIRequest.parse(line: line) where !closed {
                var words = request.words
                // A prefix: alone, it changes the target; before a command, it applies to that one.
                var commandTarget = target
                if let first = words.first, first.hasPrefix("@") {
                    guard let named = Self.target(first, processes) else {
                        output += "Can't find the target PID matching the prefix '\(first)'\n" + prompt
                        continue
                    }
                    words.removeFirst()
                    if words.isEmpty {
                        target = named
                        output += prompt
                        continue
                    }
                    commandTarget = named
                }
                switch commandTarget {
                case .worker(let pid):
                    let text = words.map(Self.quoted).joined(separator: " ")
                    output += (forward(pid, text) ?? "Can't connect to the target CLI!\n") + prompt
                case .master:
                    switch words {
                    case ["quit"]:
                        closed = true
                    case ["prompt"]:
                        interactive.toggle()
                        output += prompt
                    case ["reload"]:
                        guard level >= .operator else {
                            output += "Permission denied\n\n" + prompt
                            continue
                        }
                        closed = true
                        if !output.isEmpty { actions.append(.write(output)) }
                        return actions + [.close, .reload]
                    case ["show", "proc"]:
                        output += showProc() + "\n" + prompt
                    case ["show", "version"]:
                        output += version + "\n\n" + prompt
                    case ["show", "cli", "level"]:
                        output += "\(level)\n\n" + prompt
                    case ["operator"]:
                        if level >= .operator { level = .operator }
                        output += prompt
                    case ["user"]:
                        level = .user
                        output += prompt
                    case _ where words.first == "help":
                        output += "The following commands are valid at this level:\n" + Self.listing + "\n" + prompt
                    default:
                        output += "Unknown command. Please enter one of the following commands only:\n" + Self.listing + "\n" + prompt
                    }
                }
            }
        }
        if !output.isEmpty { actions.append(.write(output)) }
        if closed { return actions + [.close] }
        if pending.count > lineLimit {
            closed = true
            return actions + [.close]
        }
        if answeredLine, !interactive, pending.isEmpty {
            closed = true
            actions.append(.close)
        }
        return actions
    }

    /// The client shut its side.
    public mutating func inputClosed() -> [Action] {
        guard !closed else { return [] }
        closed = true
        return [.close]
    }

    private var prompt: String {
        guard interactive else { return "" }
        switch target {
        case .master: return "master> "
        case .worker(let pid): return "\(pid)> "
        }
    }

    static func target(_ prefix: String, _ processes: Processes) -> Target? {
        let name = prefix.dropFirst()
        if name.isEmpty || name == "master" { return .master }
        if name.hasPrefix("!") {
            guard let pid = Int32(name.dropFirst()), processes.current.contains(pid) || processes.old.contains(pid) else { return nil }
            return .worker(pid)
        }
        guard let number = Int(name), number >= 1, number <= processes.current.count else { return nil }
        return .worker(processes.current[number - 1])
    }

    /// A word as the worker's CLI reads it back: spaces, `;` and backslashes escaped.
    static func quoted(_ word: String) -> String {
        var escaped = ""
        for character in word {
            if character == "\\" || character == " " || character == "\t" || character == ";" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// `text` followed by spaces up to `width` characters (never cut).
    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static let listing = [
        ("@!<pid>", "send a command to the <pid> process"),
        ("@<relative pid>", "send a command to the <relative pid> process"),
        ("@master", "send a command to the master process"),
        ("operator", "lower the level of the current CLI session to operator"),
        ("reload", "reload usher"),
        ("show cli level", "display the level of the current CLI session"),
        ("show proc", "show processes status"),
        ("show version", "show version of the current process"),
        ("user", "lower the level of the current CLI session to user"),
        ("help [<command>]", "list matching or all commands"),
        ("prompt", "toggle interactive mode with prompt"),
        ("quit", "disconnect"),
    ].map { "  " + padded($0.0, 40) + ": " + $0.1 + "\n" }.joined()

    /// `show proc`, as HAProxy 2.6 prints it. Uptimes in seconds; `reloads` per worker: the
    /// reloads it has outlived.
    public static func showProc(
        master: (pid: Int32, reloads: Int, failedReloads: Int, uptime: Int), version: String,
        workers: [(pid: Int32, reloads: Int, uptime: Int, current: Bool)]
    ) -> String {
        func column(_ text: String) -> String { padded(text, 15) }
        func row(_ cells: [String]) -> String { cells.map(column).joined(separator: " ") + "\n" }
        var text = row(["#<PID>", "<type>", "<reloads>", "<uptime>", "<version>"])
        text += row(["\(master.pid)", "master", "\(master.reloads) [failed: \(master.failedReloads)]", uptimeText(master.uptime), version])
        text += "# workers\n"
        for worker in workers where worker.current {
            text += row(["\(worker.pid)", "worker", "\(worker.reloads)", uptimeText(worker.uptime), version])
        }
        let old = workers.filter { !$0.current }
        if !old.isEmpty {
            text += "# old workers\n"
            for worker in old { text += row(["\(worker.pid)", "worker", "\(worker.reloads)", uptimeText(worker.uptime), version]) }
        }
        text += "# programs\n"
        return text
    }

    /// `0d00h02m07s`
    static func uptimeText(_ seconds: Int) -> String {
        let s = max(0, seconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(s / 86400)d\(two(s / 3600 % 24))h\(two(s / 60 % 60))m\(two(s % 60))s"
    }
}
