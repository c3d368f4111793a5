import UsherConfig

/// One runtime API connection's protocol, without I/O: bytes in, bytes and a close out.
///
/// HAProxy's CLI framing: input is read as lines (bounded by the buffer size: a longer line closes
/// the connection), a line holds commands separated by `;`, each answer ends with an empty line.
/// Without `prompt` (the default) the connection closes once every complete line received has
/// been answered; `prompt` toggles an interactive mode that keeps it open and writes `> ` after
/// each answer. `quit` closes at once. The session's level only ever goes down (`operator`,
/// `user`), and a command above it is answered "Permission denied".
///
/// Commands other than the session ones (`help`, `prompt`, `quit`, `operator`, `user`, `show cli
/// level`) are run by the `execute` function the driver passes in, which sees the runtime.
public struct RuntimeAPISessionStateMachine: Sendable {
    /// What the driver must do.
    public enum Action: Sendable, Equatable {
        case write(String)
        /// Close the connection (after the writes before it).
        case close
        /// Send the process's listening sockets over the connection (HAProxy's `_getsocks`
        /// exchange, for a process started with `-x`), then close it.
        case handOverListeners
    }

    enum Phase: Sendable, Equatable {
        /// Reading commands; `interactive` after `prompt`.
        case reading(interactive: Bool)
        case closed
        /// `_getsocks` was asked on a socket that allows it: the connection now carries sockets.
        case handingOver
    }

    public private(set) var level: RuntimeAPILevel
    private var phase: Phase = .reading(interactive: false)
    /// Bytes of a line not complete yet.
    private var pending: [UInt8] = []
    /// The longest line accepted, HAProxy's `tune.bufsize`.
    public let lineLimit: Int

    /// The socket has `expose-fd listeners`: `_getsocks` is answered with the listening sockets.
    public let exposesListeners: Bool

    public init(level: RuntimeAPILevel, lineLimit: Int = 16_384, exposesListeners: Bool = false) {
        self.level = level
        self.lineLimit = lineLimit
        self.exposesListeners = exposesListeners
    }

    public var isInteractive: Bool { phase == .reading(interactive: true) }
    public var isClosed: Bool { phase == .closed || phase == .handingOver }

    /// Bytes arrived: runs every complete line. `execute` runs one command at the session's level.
    public mutating func receive(
        _ bytes: some Sequence<UInt8>, execute: (RuntimeAPIRequest, RuntimeAPILevel) -> RuntimeAPIReply
    ) -> [Action] {
        guard !isClosed else { return [] }
        pending.append(contentsOf: bytes)
        var actions: [Action] = []
        var output = ""
        var answeredLine = false
        while case .reading = phase, let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            guard newline <= lineLimit else { break }
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            answeredLine = true
            for request in RuntimeAPIRequest.parse(line: line) {
                guard case .reading = phase else { break }
                output += run(request, execute: execute)
            }
        }
        if !output.isEmpty { actions.append(.write(output)) }
        if isClosed {
            actions.append(phase == .handingOver ? .handOverListeners : .close)
            return actions
        }
        // A line longer than the buffer can never be read: HAProxy drops the connection.
        if pending.count > lineLimit || (pending.firstIndex(of: UInt8(ascii: "\n")).map { $0 > lineLimit } ?? false) {
            phase = .closed
            pending = []
            actions.append(.close)
            return actions
        }
        if answeredLine, phase == .reading(interactive: false), pending.isEmpty {
            phase = .closed
            actions.append(.close)
        }
        return actions
    }

    /// The client shut its side: whatever is pending is not a command.
    public mutating func inputClosed() -> [Action] {
        guard !isClosed else { return [] }
        phase = .closed
        return [.close]
    }

    /// `stats timeout` expired with no input.
    public mutating func idleTimeout() -> [Action] {
        inputClosed()
    }

    private mutating func run(_ request: RuntimeAPIRequest, execute: (RuntimeAPIRequest, RuntimeAPILevel) -> RuntimeAPIReply) -> String {
        let reply: RuntimeAPIReply
        switch request.words {
        case ["quit"]:
            phase = .closed
            return ""
        case ["_getsocks"]:
            // What follows is binary (the sockets); elsewhere HAProxy ends the session without a word.
            phase = exposesListeners ? .handingOver : .closed
            return ""
        case ["prompt"]:
            phase = .reading(interactive: !isInteractive)
            reply = .output("")
        case ["operator"]:
            if level < .operator { reply = .permissionDenied } else { level = .operator; reply = .output("") }
        case ["user"]:
            level = .user
            reply = .output("")
        case ["show", "cli", "level"]:
            reply = .output("\(level)\n")
        case _ where request.words.first == "help":
            reply = .output(RuntimeAPICommandCatalogue.help(Array(request.words.dropFirst())))
        default:
            if let entry = RuntimeAPICommandCatalogue.entry(for: request) {
                reply = entry.level > level ? .permissionDenied : execute(request, level)
            } else {
                reply = .output(RuntimeAPICommandCatalogue.unknownCommand(request.words))
            }
        }
        return reply.text + (isInteractive ? "> " : "")
    }
}
