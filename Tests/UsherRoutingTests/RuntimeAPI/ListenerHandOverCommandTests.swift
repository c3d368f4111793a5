import Testing
import UsherConfig
import UsherRouting

/// `_getsocks` in the runtime API's state machine: on a socket with `expose-fd listeners` it hands
/// the connection to the socket transfer; elsewhere the session ends without a word, as HAProxy's.
@Suite struct ListenerHandOverCommandTests {
    static func echo(_ request: RuntimeAPIRequest, _ level: RuntimeAPILevel) -> RuntimeAPIReply {
        .output(request.words.joined(separator: " "))
    }

    @Test func exposedSocketHandsOver() {
        var machine = RuntimeAPISessionStateMachine(level: .admin, exposesListeners: true)
        #expect(machine.receive(Array("_getsocks\n".utf8), execute: Self.echo) == [.handOverListeners])
        #expect(machine.isClosed)
    }

    @Test func otherSocketsCloseSilently() {
        var machine = RuntimeAPISessionStateMachine(level: .admin)
        #expect(machine.receive(Array("_getsocks\n".utf8), execute: Self.echo) == [.close])
    }

    @Test func nothingAfterTheHandOverIsRun() {
        var machine = RuntimeAPISessionStateMachine(level: .admin, exposesListeners: true)
        let actions = machine.receive(Array("_getsocks; show info\n".utf8), execute: Self.echo)
        #expect(actions == [RuntimeAPISessionStateMachine.Action.handOverListeners])
    }
}
