import NIOCore
import Testing
import UsherConfig

import UsherSession

/// The 101 tunnel's decisions alone, without sockets: reading follows the other side's socket,
/// a FIN is passed across once, and the timeouts in force follow TCP mode's rules.
struct TunnelStateMachineTests {
    static let open = TunnelStateMachine.Sockets(clientWritable: true, serverWritable: true)

    static var timeouts: Timeouts {
        var t = Timeouts()
        t.client = .milliseconds(1000)
        t.server = .milliseconds(2000)
        t.tunnel = .milliseconds(10_000)
        t.clientFin = .milliseconds(300)
        t.serverFin = .milliseconds(400)
        return t
    }

    @Test func eachSideIsReadOnlyWhileTheOtherTakesMore() {
        let tunnel = TunnelStateMachine()
        #expect(tunnel.shouldRead(.server, Self.open) && tunnel.shouldRead(.client, Self.open))
        let clientFull = TunnelStateMachine.Sockets(clientWritable: false, serverWritable: true)
        #expect(!tunnel.shouldRead(.server, clientFull), "a client that stops reading stops usher reading the server")
        #expect(tunnel.shouldRead(.client, clientFull))
        let serverFull = TunnelStateMachine.Sockets(clientWritable: true, serverWritable: false)
        #expect(!tunnel.shouldRead(.client, serverFull), "a server that stops reading stops usher reading the client")
        #expect(tunnel.shouldRead(.server, serverFull))
    }

    @Test func aFINIsPassedToTheOtherSideOnce() {
        var tunnel = TunnelStateMachine()
        #expect(tunnel.inputClosed(.server) == .shutOutput(of: .client))
        #expect(tunnel.inputClosed(.server) == TunnelStateMachine.FINAction.none)
        #expect(!tunnel.shouldRead(.server, Self.open))
        #expect(tunnel.shouldRead(.client, Self.open), "the other direction goes on")
        #expect(tunnel.inputClosed(.client) == .shutOutput(of: .server))
    }

    @Test func timeoutsFollowTCPModesRules() {
        var tunnel = TunnelStateMachine()
        let t = Self.timeouts
        #expect(tunnel.idleLimit(.client, Self.open, timeouts: t) == .milliseconds(10_000), "timeout tunnel replaces client")
        #expect(tunnel.idleLimit(.server, Self.open, timeouts: t) == .milliseconds(10_000))
        _ = tunnel.inputClosed(.server)
        // The server is done sending and its socket is not full: not waited on. The client got a FIN.
        #expect(tunnel.idleLimit(.server, Self.open, timeouts: t) == nil)
        #expect(tunnel.idleLimit(.client, Self.open, timeouts: t) == .milliseconds(300), "client-fin")
        let serverFull = TunnelStateMachine.Sockets(clientWritable: true, serverWritable: false)
        #expect(tunnel.idleLimit(.server, serverFull, timeouts: t) == .milliseconds(400), "server-fin while bytes wait for it")
        var noTunnel = t
        noTunnel.tunnel = nil
        #expect(TunnelStateMachine().idleLimit(.client, Self.open, timeouts: noTunnel) == .milliseconds(1000), "timeout client without a tunnel timeout")
    }

    @Test func theEarliestDeadlineNamesItsSide() {
        let tunnel = TunnelStateMachine()
        var t = Self.timeouts
        t.tunnel = nil
        let now = NIODeadline.now()
        let found = tunnel.deadline(Self.open, timeouts: t, lastClientActivity: now, lastServerActivity: now)
        #expect(found?.1 == .client)
        #expect(found?.0 == now + .milliseconds(1000))
        let later = tunnel.deadline(Self.open, timeouts: t, lastClientActivity: now + .seconds(5), lastServerActivity: now)
        #expect(later?.1 == .server)
    }
}
