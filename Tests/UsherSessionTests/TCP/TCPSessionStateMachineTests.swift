import NIOCore
import Testing
import UsherConfig
import UsherRouting
import UsherSession

/// A TCP-mode connection's set-up phases alone: what bytes, a FIN and the timers mean before the
/// tunnel is up, and the tunnel handed over.
struct TCPSessionStateMachineTests {
    typealias Machine = TCPSessionStateMachine
    static let start = NIODeadline.uptimeNanoseconds(5_000_000_000)

    @Test func aPlainConnectionIsInspectedAtOnceThenConnectedThenForwarded() {
        var machine = Machine(acceptProxy: false, handshake: false)
        #expect(machine.phase == .inspecting)
        #expect(machine.bytesReceived(buffered: 10, bufferSize: 100) == .inspect(final: false))
        // A full buffer: the rules decide on what is there.
        #expect(machine.bytesReceived(buffered: 100, bufferSize: 100) == .inspect(final: true))
        machine.connecting()
        #expect(machine.bytesReceived(buffered: 50, bufferSize: 100) == .keep)
        #expect(machine.bytesReceived(buffered: 100, bufferSize: 100) == .keepAndPause)
        let tunnel = machine.connected()
        #expect(tunnel == TunnelStateMachine())
        #expect(machine.phase == .forwarding)
        #expect(machine.bytesReceived(buffered: 1, bufferSize: 100) == .pass)
        // Once forwarding, a second connection result is refused.
        #expect(machine.connected() == nil)
    }

    @Test func settingUpWaitsForTheHeaderAndTheHandshake() {
        var proxied = Machine(acceptProxy: true, handshake: false)
        #expect(proxied.bytesReceived(buffered: 3, bufferSize: 100) == .readProxyHeader)
        #expect(proxied.proxyHeaderRead() == .startSession)
        proxied.sessionStarted()
        #expect(proxied.phase == .inspecting)

        var tls = Machine(acceptProxy: false, handshake: true)
        #expect(tls.bytesReceived(buffered: 3, bufferSize: 100) == .keep)
        #expect(tls.handshakeCompleted() == .startSession)
        tls.sessionStarted()
        #expect(tls.phase == .inspecting)

        var both = Machine(acceptProxy: true, handshake: true)
        #expect(both.proxyHeaderRead() == .wait)
        #expect(both.awaitsHandshake && !both.awaitsProxyHeader)
        #expect(both.handshakeCompleted() == .startSession)
    }

    @Test func aHalfCloseBeforeTheTunnelIsCarriedAcross() {
        var setUp = Machine(acceptProxy: true, handshake: false)
        #expect(setUp.clientInputEnded() == .close)

        var inspecting = Machine(acceptProxy: false, handshake: false)
        #expect(inspecting.clientInputEnded() == .inspectFinal)
        inspecting.connecting()
        let tunnel = inspecting.connected()
        // The server gets the FIN once connected; the tunnel knows the client is done.
        #expect(tunnel?.clientInputClosed == true)
        #expect(tunnel?.serverInputClosed == false)

        var connecting = Machine(acceptProxy: false, handshake: false)
        connecting.connecting()
        #expect(connecting.clientInputEnded() == .passOnceConnected)
        #expect(connecting.connected()?.clientInputClosed == true)
        #expect(connecting.clientInputEnded() == .none)
    }

    @Test func timersFollowThePhase() {
        var machine = Machine(acceptProxy: false, handshake: true)
        let setUp = machine.deadline(from: Self.start, handshakeLimit: .milliseconds(3_000), inspectDelay: .milliseconds(500))
        #expect(setUp?.0 == Self.start + .milliseconds(3_000))
        #expect(setUp?.1 == .setUp)
        _ = machine.handshakeCompleted()
        machine.sessionStarted()
        let inspection = machine.deadline(from: Self.start, handshakeLimit: .milliseconds(3_000), inspectDelay: .milliseconds(500))
        #expect(inspection?.0 == Self.start + .milliseconds(500))
        #expect(inspection?.1 == .inspection)
        #expect(machine.deadline(from: Self.start, handshakeLimit: .milliseconds(3_000), inspectDelay: nil) == nil)
        machine.connecting()
        #expect(machine.deadline(from: Self.start, handshakeLimit: .milliseconds(3_000), inspectDelay: .milliseconds(500)) == nil)
    }

    @Test func theLogPhaseNamesWhereTheSessionWas() {
        var machine = Machine(acceptProxy: true, handshake: false)
        #expect(machine.terminationPhase(queued: false) == .request)
        _ = machine.proxyHeaderRead()
        machine.sessionStarted()
        #expect(machine.terminationPhase(queued: false) == .request)
        machine.connecting()
        #expect(machine.terminationPhase(queued: true) == .queue)
        #expect(machine.terminationPhase(queued: false) == .connect)
        _ = machine.connected()
        #expect(machine.terminationPhase(queued: false) == .data)
        machine.closed()
        #expect(machine.isClosed)
        #expect(machine.bytesReceived(buffered: 1, bufferSize: 10) == .pass)
    }
}
