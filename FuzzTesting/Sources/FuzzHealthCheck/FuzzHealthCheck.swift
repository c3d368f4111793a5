// libFuzzer harness for the protocol health checks (`TCPCheckStateMachine` running the programs of
// `option mysql-check`, `pgsql-check`, `redis-check`, `smtpchk`, `ldap-check`): what a server
// answers is untrusted bytes. Byte 0 picks the check (its value modulo 6; 5 is mysql pre-4.1);
// the rest is the server's answer, fed whole and, in a second run, in pieces of 1, 3 and 7 bytes
// (chosen by byte 0's high bits). Invariants: nothing traps; the machine asks for a connection
// first and then never for another; it finishes once at most, and nothing comes after the
// verdict; a passing verdict never comes from an empty answer. (Whole and in pieces may differ:
// a check's `send` drops what was received before it, so an answer that arrives before the
// question it answers is lost, as in HAProxy — a real server does not answer early.)
// Any broken invariant is a `precondition` failure, which libFuzzer reports as a crash.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import UsherConfig
import UsherRouting

// Swift drops the messages of `precondition` in release builds; this keeps them (`fatalError`
// prints its message), so that a crash says which invariant broke and on what.
private func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(), file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

let checks: [ProtocolCheck] = [
    .mysql(user: "haproxy", post41: true), .pgsql(user: "haproxy"), .redis, .smtp(hello: "EHLO", domain: "usher.test"), .ldap,
    .mysql(user: "haproxy", post41: false),
]

/// Runs the check against `answer` delivered in pieces of `piece` bytes (0: whole), then the
/// server's close; returns the verdict, if the machine gave one.
func run(_ check: ProtocolCheck, _ answer: [UInt8], piece: Int) -> CheckVerdict? {
    var machine = TCPCheckStateMachine(program: TCPCheckProgram(protocolCheck: check))
    var verdict: CheckVerdict? = nil
    var connects = 0
    func take(_ actions: [TCPCheckStateMachine.Action]) {
        for action in actions {
            precondition(verdict == nil, "an action after the verdict: \(action)")
            switch action {
            case .connect: connects += 1
            case .finish(let result): verdict = result
            case .send, .wait: break
            }
        }
    }
    take(machine.start())
    take(machine.connected())
    precondition(connects == 1, "\(connects) connections asked for a protocol check")
    var index = 0
    while index < answer.count, verdict == nil {
        let end = piece == 0 ? answer.count : min(answer.count, index + piece)
        take(machine.received(answer[index..<end]))
        index = end
    }
    if verdict == nil { take(machine.closedByPeer()) }
    if verdict == nil { take(machine.timedOut()) }
    precondition(connects == 1, "\(connects) connections asked for a protocol check")
    return verdict
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let check = checks[Int(bytes[0]) % checks.count]
    let answer = Array(bytes.dropFirst())
    let whole = run(check, answer, piece: 0)
    let piece = [1, 3, 7, 0][Int(bytes[0] >> 6)]
    let pieces = run(check, answer, piece: piece)
    precondition(whole != nil, "no verdict after the close and the timeout")
    if let whole, whole.isPassing { precondition(!answer.isEmpty, "a pass without an answer: \(whole)") }
    precondition(pieces != nil, "no verdict after the close and the timeout, in pieces of \(piece)")
    if let pieces, pieces.isPassing { precondition(!answer.isEmpty, "a pass without an answer: \(pieces)") }
    return 0
}
