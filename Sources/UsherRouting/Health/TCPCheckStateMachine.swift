import NIOCore
import UsherConfig

/// Runs one health check's `TCPCheckProgram`: events in (connected, bytes received, closed,
/// timed out), actions out (connect, send, wait, finish with HAProxy's status). It never touches a
/// socket or a clock; the driver (UsherProxy's `TCPCheckHandler`) does what it says and arms the
/// timeouts.
///
/// As HAProxy runs a sequence: the steps run in order and every one must pass; a `send` empties
/// what was received so far, successive `expect`s read the same bytes; an `expect` whose pattern is
/// not found yet waits for more (unless `min-recv` is reached), until the server closes or the
/// timeout; a sequence without a `connect` opens one first.
public struct TCPCheckStateMachine {
    public enum Action: Equatable {
        /// Close the current connection, if any, and open one as the step says; report
        /// `connected()` or `connectFailed(…)`. Nothing else comes before that report.
        case connect(TCPCheckRule.Connect)
        /// Write these bytes on the current connection.
        case send([UInt8])
        /// Wait for bytes, the peer's close or the timeout.
        case wait
        /// The check is over: close the connection.
        case finish(CheckVerdict)
    }

    enum Phase {
        case idle
        /// Waiting for the connection of the step at `index` (nil: the implicit first one).
        case connecting(index: Int?)
        /// Running; the step at `index` is next (or waiting for data, if it is an `expect`).
        case running(index: Int)
        case finished
    }

    let program: TCPCheckProgram
    private var phase = Phase.idle
    private var received: [UInt8] = []
    private var peerClosed = false
    /// The text of the last `tcp-check comment`, named when the next step fails.
    private var pendingComment: String?
    /// What the last passing `expect` said, for the final report.
    private var lastSuccess: (status: CheckStatus?, code: Int?, info: String?) = (nil, nil, nil)
    private var lastConnectWasTLS = false
    private let variables: CheckVariables?
    /// The most a check reads, as HAProxy's buffer: beyond it, the bytes are judged as they are.
    public static let bufferLimit = 16_384

    public init(program: TCPCheckProgram, processVariables: ProcessVariables? = nil) {
        self.program = program
        self.variables = processVariables.map(CheckVariables.init)
    }

    public var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    // MARK: - Events

    public mutating func start() -> [Action] {
        guard case .idle = phase else { return [] }
        if program.hasConnect { return run(from: 0) }
        phase = .connecting(index: nil)
        return [.connect(TCPCheckRule.Connect())]
    }

    public mutating func connected() -> [Action] {
        guard case .connecting(let index) = phase else { return [] }
        received = []
        peerClosed = false
        if let index, case .connect(let connect) = program.entries[index].step {
            lastConnectWasTLS = connect.ssl
            pendingComment = nil
            return run(from: index + 1)
        }
        return run(from: 0)
    }

    /// The connection failed: refused (`reason` says how, as `Connection refused`) or timed out.
    public mutating func connectFailed(timedOut: Bool, reason: String?) -> [Action] {
        guard case .connecting(let index) = phase else { return [] }
        let status: CheckStatus = timedOut ? .l4Timeout : .l4Connection
        guard let index else { return finish(CheckVerdict(status, info: timedOut ? nil : reason)) }
        let entry = program.entries[index]
        var info = (reason.map { $0 + " " } ?? "") + "at step \(entry.number ?? index + 1) of tcp-check (\(Self.describe(entry)))"
        if let comment = entry.comment ?? pendingComment { info += " comment: \(comment)" }
        return finish(CheckVerdict(status, info: info))
    }

    /// The TLS handshake of a `connect ssl` step failed or timed out.
    public mutating func handshakeFailed(timedOut: Bool) -> [Action] {
        guard case .connecting = phase else { return [] }
        return finish(CheckVerdict(timedOut ? .l6Timeout : .l6Response, info: timedOut ? nil : "SSL handshake failure"))
    }

    public mutating func received(_ bytes: some Sequence<UInt8>) -> [Action] {
        guard case .running(let index) = phase else { return [] }
        received.append(contentsOf: bytes)
        if received.count > Self.bufferLimit { received.removeLast(received.count - Self.bufferLimit) }
        return run(from: index)
    }

    /// The server closed its side: what has arrived is all there is.
    public mutating func closedByPeer() -> [Action] {
        peerClosed = true
        guard case .running(let index) = phase else { return [] }
        return run(from: index)
    }

    /// A socket error (a reset): HAProxy's `SOCKERR`.
    public mutating func socketError(_ description: String) -> [Action] {
        switch phase {
        case .finished, .idle: return []
        case .connecting: return connectFailed(timedOut: false, reason: description)
        case .running: return finish(CheckVerdict(.socketError, info: description))
        }
    }

    /// The check's time is up.
    public mutating func timedOut() -> [Action] {
        switch phase {
        case .finished, .idle: return []
        case .connecting: return connectFailed(timedOut: true, reason: nil)
        case .running(let index):
            guard index < program.entries.count, case .expect(let expect) = program.entries[index].step else {
                return finish(CheckVerdict(.l7Timeout))
            }
            let entry = program.entries[index]
            var info = entry.number.map { "at step \($0) of tcp-check (\(expect.written))" }
            if let comment = entry.comment ?? pendingComment { info = (info ?? "") + " comment: \(comment)" }
            return finish(CheckVerdict(expect.timeoutStatus ?? .l7Timeout, info: info))
        }
    }

    // MARK: - Running the steps

    private mutating func run(from start: Int) -> [Action] {
        var actions: [Action] = []
        var index = start
        while index < program.entries.count {
            let entry = program.entries[index]
            switch entry.step {
            case .comment(let text):
                pendingComment = text
            case .variable(let action):
                if let variables {
                    var context = sampleContext(variables)
                    action.apply(&context)
                }
            case .connect:
                phase = .connecting(index: index)
                actions.append(.connect(Self.connectOptions(entry)))
                return actions
            case .send(let payload):
                received = []
                actions.append(.send(render(payload)))
                pendingComment = nil
            case .expect(let expect):
                switch evaluate(expect, entry: entry) {
                case .wait:
                    phase = .running(index: index)
                    actions.append(.wait)
                    return actions
                case .passed:
                    pendingComment = nil
                case .failed(let verdict):
                    return actions + finish(verdict)
                }
            }
            index += 1
        }
        return actions + finish(success())
    }

    private static func connectOptions(_ entry: TCPCheckProgram.Entry) -> TCPCheckRule.Connect {
        if case .connect(let connect) = entry.step { return connect }
        return TCPCheckRule.Connect()
    }

    private func success() -> CheckVerdict {
        if let status = lastSuccess.status { return CheckVerdict(status, code: lastSuccess.code, info: lastSuccess.info) }
        guard program.exchangesData else { return CheckVerdict(lastConnectWasTLS ? .l6OK : .l4OK) }
        return CheckVerdict(.l7OK, code: lastSuccess.code ?? 0, info: lastSuccess.info ?? "(tcp-check)")
    }

    private mutating func finish(_ verdict: CheckVerdict) -> [Action] {
        phase = .finished
        return [.finish(verdict)]
    }

    enum Evaluation {
        case wait
        case passed
        case failed(CheckVerdict)
    }

    private mutating func evaluate(_ expect: TCPCheckProgram.Expectation, entry: TCPCheckProgram.Entry) -> Evaluation {
        let final = peerClosed || received.count >= Self.bufferLimit
        let step = entry.number.map { " at step \($0)" } ?? ""
        let comment = (entry.comment ?? pendingComment).map { " comment: \($0)" } ?? ""
        if case .reply(let reply) = expect.matcher {
            switch reply.judge(received, final: final) {
            case .needMore: return .wait
            case .passed(let code, let info):
                lastSuccess = (nil, code ?? lastSuccess.code, info ?? lastSuccess.info)
                return .passed
            case .failed(let verdict): return .failed(verdict)
            }
        }
        if received.isEmpty {
            guard final else { return .wait }
            return .failed(errorVerdict(expect, info: "TCPCHK got an empty response\(step)\(comment)"))
        }
        if let minimum = expect.minimumReceived, received.count < minimum, !final { return .wait }
        let found = matches(expect)
        if !found && !final && expect.minimumReceived == nil { return .wait }
        if found != expect.negated {
            lastSuccess = (expect.okStatus, statusCode(expect), expect.onSuccess.flatMap(renderFormat))
            return .passed
        }
        let message = found ? "TCPCHK matched unwanted content" : "TCPCHK did not match content"
        return .failed(errorVerdict(expect, info: "\(message) \(expect.contentDescription)\(step)\(comment)"))
    }

    private func errorVerdict(_ expect: TCPCheckProgram.Expectation, info: String) -> CheckVerdict {
        let custom = expect.onError.flatMap(renderFormat)
        let status = expect.errorStatus ?? .l7Response
        let code = statusCode(expect) ?? (status == .l7Status ? 0 : nil)
        return CheckVerdict(status, code: code, info: custom ?? info)
    }

    private func renderFormat(_ template: LogFormatTemplate) -> String? {
        guard let variables else { return nil }
        var context = sampleContext(variables)
        return template.render(&context)
    }

    private func statusCode(_ expect: TCPCheckProgram.Expectation) -> Int? {
        guard let sample = expect.statusCode, let variables else { return nil }
        var context = sampleContext(variables)
        guard case .value(let value) = sample.evaluate(&context) else { return nil }
        if case .integer(let code) = value { return Int(code) }
        return Int(value.text)
    }

    private func matches(_ expect: TCPCheckProgram.Expectation) -> Bool {
        switch expect.matcher {
        case .bytes(let pattern, _):
            return received.firstRange(of: pattern) != nil
        case .regex(let regex, _, let hexadecimal):
            let text = hexadecimal ? received.map(Self.hexPair).joined() : String(decoding: received, as: UTF8.self)
            return (try? regex.firstMatch(in: text)) != nil
        case .format(let template, let binary):
            guard let variables else { return false }
            var context = sampleContext(variables)
            let rendered = template.render(&context)
            let pattern = binary ? Self.bytes(hexadecimal: rendered) : Array(rendered.utf8)
            return !pattern.isEmpty && received.firstRange(of: pattern) != nil
        case .reply:
            return false
        }
    }

    private func render(_ payload: TCPCheckProgram.Payload) -> [UInt8] {
        switch payload {
        case .bytes(let bytes): return bytes
        case .format(let template, let binary):
            guard let variables else { return [] }
            var context = sampleContext(variables)
            let text = template.render(&context)
            return binary ? Self.bytes(hexadecimal: text) : Array(text.utf8)
        }
    }

    private func sampleContext(_ variables: CheckVariables) -> SampleContext {
        SampleContext(
            connection: ConnectionInfo(source: nil, sourcePort: 0, destination: nil, destinationPort: 0),
            payload: ByteBuffer(bytes: received), isFinal: true, variables: variables
        )
    }

    static func hexPair(_ byte: UInt8) -> String {
        (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }

    /// Pairs of hexadecimal digits as bytes; what is not a digit ends the conversion.
    static func bytes(hexadecimal text: String) -> [UInt8] {
        var result: [UInt8] = []
        var high: UInt8?
        for character in text {
            guard let digit = character.hexDigitValue else { break }
            if let pending = high {
                result.append(pending << 4 | UInt8(digit))
                high = nil
            } else {
                high = UInt8(digit)
            }
        }
        return result
    }

    static func describe(_ entry: TCPCheckProgram.Entry) -> String {
        guard case .connect(let connect) = entry.step else { return "" }
        var words = ["connect"]
        if let port = connect.port { words.append("port \(port)") }
        if let address = connect.address { words.append("addr \(address)") }
        if connect.ssl { words.append("ssl") }
        return words.joined(separator: " ")
    }
}

/// A check's variables (`tcp-check set-var(check.x)`), for one check.
final class CheckVariables: VariableStorage {
    var sessionVariables: SessionVariables

    init(process: ProcessVariables) {
        sessionVariables = SessionVariables(checkWithProcess: process)
    }
}
