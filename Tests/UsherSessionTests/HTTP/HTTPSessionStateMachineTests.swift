import NIOCore
import Testing
import UsherConfig
import UsherSession

/// The HTTP/1 session's phases and decisions alone: no socket, no clock (deadlines are computed
/// from a fixed instant).
struct HTTPSessionStateMachineTests {
    typealias Machine = HTTPSessionStateMachine

    static let zero = NIODeadline.uptimeNanoseconds(1_000_000_000)
    static func at(_ milliseconds: Int64) -> NIODeadline { zero + .milliseconds(milliseconds) }

    static var timeouts: Timeouts {
        var t = Timeouts()
        t.client = .milliseconds(30_000)
        t.server = .milliseconds(20_000)
        t.httpRequest = .milliseconds(5_000)
        t.httpKeepAlive = .milliseconds(2_000)
        t.tunnel = .milliseconds(60_000)
        return t
    }

    static let activity = Machine.Activity(requestWaitStarted: at(0), lastClient: at(100), lastServer: at(200))
    static let open = Machine.Sockets(clientWritable: true, serverWritable: true, pendingBytes: 0)

    static func end(pending: Int = 0, writable: Bool = true, probes: Bool = false, connecting: Bool = false, buffered: Bool = false) -> Machine.ClientEnd {
        Machine.ClientEnd(pendingBytes: pending, clientWritable: writable, ignoresProbes: probes, connecting: connecting, bodyIsBuffered: { buffered })
    }

    func deadline(_ machine: Machine, _ sockets: Machine.Sockets = open, serverChosen: Bool = true) -> (NIODeadline, Machine.Expiry)? {
        machine.deadline(timeouts: Self.timeouts, handshakeLimit: .milliseconds(7_000), activity: Self.activity, sockets: sockets, serverChosen: serverChosen)
    }

    /// A machine in an exchange whose request went out with its body still to come.
    func inExchange(bodyComplete: Bool = false) -> Machine {
        var machine = Machine(acceptProxy: false, handshake: false)
        machine.requestCounted()
        machine.exchangeStarted()
        machine.requestWritten(bodyComplete: bodyComplete)
        return machine
    }

    // MARK: Phases

    @Test func keepAliveExchangesGoRoundThePhases() {
        var machine = Machine(acceptProxy: false, handshake: false)
        #expect(machine.phase == .awaitingHead)
        for count in 1...3 {
            machine.requestCounted()
            machine.exchangeStarted()
            #expect(machine.phase == .exchange(request: .pending, response: .none))
            machine.requestWritten(bodyComplete: false)
            #expect(machine.phase == .exchange(request: .body, response: .head))
            machine.requestBodyForwarded()
            #expect(machine.phase == .exchange(request: .sent, response: .head))
            machine.responseBodyStarted()
            #expect(machine.phase == .exchange(request: .sent, response: .body))
            machine.serverDetached()
            machine.exchangeEnded(keepAlive: true)
            #expect(machine.phase == .awaitingHead)
            #expect(machine.requestCount == count)
        }
        machine.requestCounted()
        machine.exchangeStarted()
        machine.requestWritten(bodyComplete: true)
        machine.responseBodyStarted()
        machine.exchangeEnded(keepAlive: false)
        #expect(machine.phase == .closing)
        #expect(machine.isEnding)
    }

    @Test func settingUpWaitsForTheProxyHeaderThenTheHandshake() {
        var machine = Machine(acceptProxy: true, handshake: true)
        #expect(machine.awaitsProxyHeader && machine.awaitsHandshake)
        #expect(machine.awaitsRequest)
        machine.proxyHeaderRead()
        #expect(!machine.awaitsProxyHeader && machine.awaitsHandshake)
        machine.handshakeCompleted()
        #expect(machine.phase == .awaitingHead)

        var plain = Machine(acceptProxy: true, handshake: false)
        plain.proxyHeaderRead()
        #expect(plain.phase == .awaitingHead)
        var tls = Machine(acceptProxy: false, handshake: true)
        tls.handshakeCompleted()
        #expect(tls.phase == .awaitingHead)
    }

    @Test func aRetryTakesTheRequestBackToPending() {
        var machine = inExchange(bodyComplete: true)
        machine.retrying()
        #expect(machine.phase == .exchange(request: .pending, response: .none))
        machine.requestWritten(bodyComplete: true)
        #expect(machine.phase == .exchange(request: .sent, response: .head))
    }

    @Test func aLocalAnswerEndsTheRequestAndTheTarpit() {
        var machine = Machine(acceptProxy: false, handshake: false)
        machine.exchangeStarted()
        machine.tarpitStarted(until: Self.at(500))
        #expect(machine.phase == .tarpit(until: Self.at(500)))
        machine.answeredLocally()
        #expect(machine.phase == .exchange(request: .sent, response: .none))
        machine.exchangeEnded(keepAlive: true)
        #expect(machine.phase == .awaitingHead)
    }

    @Test func closedStaysClosed() {
        var machine = inExchange()
        machine.closed()
        machine.closing()
        #expect(machine.phase == .closed)
        #expect(deadline(machine) == nil)
    }

    // MARK: The client's half-close

    @Test func halfCloseBeforeAnyRequestIsABadRequest() {
        var machine = Machine(acceptProxy: false, handshake: false)
        #expect(machine.clientInputEnded(Self.end()) == .badRequest)
        var probe = Machine(acceptProxy: false, handshake: false)
        #expect(probe.clientInputEnded(Self.end(probes: true)) == .close)
        var partial = Machine(acceptProxy: false, handshake: false)
        #expect(partial.clientInputEnded(Self.end(pending: 10, probes: true)) == .badRequest)
    }

    @Test func halfCloseBeforeTheHandshakeOrProxyHeaderCloses() {
        var tls = Machine(acceptProxy: false, handshake: true)
        #expect(tls.clientInputEnded(Self.end(pending: 5)) == .close)
        var proxy = Machine(acceptProxy: true, handshake: false)
        #expect(proxy.clientInputEnded(Self.end(pending: 5)) == .close)
    }

    /// Issue 11: `printf 'GET / …' | nc -N` — a whole request, then the FIN at once. The request is
    /// answered whatever the server connection is doing; only the end is delayed.
    @Test func aWholeRequestFollowedByAHalfCloseIsAnswered() {
        // The FIN arrives while the server connection is being made: the body is whole (none).
        var connecting = Machine(acceptProxy: false, handshake: false)
        connecting.requestCounted()
        connecting.exchangeStarted()
        #expect(connecting.clientInputEnded(Self.end(connecting: true, buffered: true)) == .wait)
        // The request went out: nothing to do until the answer.
        connecting.requestWritten(bodyComplete: true)
        #expect(connecting.whatCannotComplete(Self.end()) == .wait)
        connecting.responseBodyStarted()
        connecting.exchangeEnded(keepAlive: true)
        // After the answer, nothing pending: close once it has gone out.
        #expect(connecting.whatCannotComplete(Self.end()) == .closeAfterFlush)
    }

    @Test func pipelinedRequestsAfterAHalfCloseAreServedFirst() {
        var machine = inExchange(bodyComplete: true)
        #expect(machine.clientInputEnded(Self.end(pending: 80)) == .wait)
        machine.responseBodyStarted()
        machine.exchangeEnded(keepAlive: true)
        // A client not reading its answers: the held requests wait for it.
        #expect(machine.whatCannotComplete(Self.end(pending: 80, writable: false)) == .wait)
        // A partial request left when the others are answered can never complete.
        #expect(machine.whatCannotComplete(Self.end(pending: 12)) == .badRequest)
    }

    @Test func aBodyThatCanNeverCompleteIsAborted() {
        var connecting = Machine(acceptProxy: false, handshake: false)
        connecting.exchangeStarted()
        // Being connected: what was received reaches the server first.
        #expect(connecting.clientInputEnded(Self.end(connecting: true)) == .wait)
        #expect(connecting.whatCannotComplete(Self.end(connecting: false)) == .abortRequestBody)

        var forwarding = inExchange()
        #expect(forwarding.clientInputEnded(Self.end()) == .abortRequestBody)
        var buffered = inExchange()
        #expect(buffered.clientInputEnded(Self.end(buffered: true)) == .wait)
    }

    @Test func halfCloseEndsATarpitAndWaitsOutCredentialChecks() {
        var tarpit = Machine(acceptProxy: false, handshake: false)
        tarpit.exchangeStarted()
        tarpit.tarpitStarted(until: Self.at(1_000))
        #expect(tarpit.clientInputEnded(Self.end()) == .endTarpit)
        var checking = Machine(acceptProxy: false, handshake: false)
        checking.credentialCheckStarted()
        #expect(checking.clientInputEnded(Self.end()) == .wait)
        checking.credentialCheckEnded()
        #expect(checking.phase == .awaitingHead)
        #expect(checking.clientInputClosed)
    }

    // MARK: Tunnels

    @Test func aTunnelPassesEachHalfCloseOnce() {
        var machine = inExchange(bodyComplete: true)
        #expect(machine.switchedProtocols() == .none)
        #expect(machine.isTunnel)
        #expect(machine.clientInputEnded(Self.end()) == .tunnel(.shutOutput(of: .server)))
        #expect(machine.clientInputEnded(Self.end()) == .wait)
        #expect(machine.serverInputEnded() == .shutOutput(of: .client))
        #expect(machine.serverInputEnded() == .none)
        #expect(machine.serverClosed(canRetry: false, bodyEndsAtClose: false) == .closeClientAfterFlush)
    }

    @Test func aHalfCloseBeforeThe101IsPassedOnWhenTheTunnelOpens() {
        var machine = inExchange(bodyComplete: true)
        #expect(machine.clientInputEnded(Self.end()) == .wait)
        #expect(machine.switchedProtocols() == .shutOutput(of: .server))
        #expect(machine.readsClient(Self.open, headLimit: 100, bufferSize: 100) == false)
    }

    /// Issue 11's WebSocket case: a server that pushes faster than the client reads. Once the
    /// client's socket is full, the server is not read; and the other way round.
    @Test func aTunnelReadsEachSideOnlyWhileTheOtherTakesMore() {
        var machine = inExchange(bodyComplete: true)
        _ = machine.switchedProtocols()
        let clientFull = Machine.Sockets(clientWritable: false, serverWritable: true, pendingBytes: 0)
        let serverFull = Machine.Sockets(clientWritable: true, serverWritable: false, pendingBytes: 0)
        #expect(machine.readsServer(Self.open))
        #expect(!machine.readsServer(clientFull))
        #expect(machine.readsClient(clientFull, headLimit: 100, bufferSize: 100) == true)
        #expect(machine.readsClient(serverFull, headLimit: 100, bufferSize: 100) == false)
        #expect(machine.readsServer(serverFull))
    }

    // MARK: Reading

    @Test func readingFollowsWhatCanBeDoneWithTheBytes() {
        let limits = (head: 1_000, buffer: 16_384)
        var machine = Machine(acceptProxy: false, handshake: false)
        // Awaiting a head: read until a head's worth is buffered, unless the client reads answers.
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: nil, pendingBytes: 5_000), headLimit: limits.head, bufferSize: limits.buffer) == true)
        #expect(machine.readsClient(.init(clientWritable: false, serverWritable: nil, pendingBytes: 5_000), headLimit: limits.head, bufferSize: limits.buffer) == false)
        machine.exchangeStarted()
        // Not connected yet: up to a buffer's worth of body is kept.
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: nil, pendingBytes: 100), headLimit: limits.head, bufferSize: limits.buffer) == true)
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: nil, pendingBytes: 20_000), headLimit: limits.head, bufferSize: limits.buffer) == false)
        machine.requestWritten(bodyComplete: false)
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: true, pendingBytes: 20_000), headLimit: limits.head, bufferSize: limits.buffer) == true)
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: false, pendingBytes: 20_000), headLimit: limits.head, bufferSize: limits.buffer) == false)
        machine.requestBodyForwarded()
        // The request is out: a pipelined head may be buffered, no more.
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: true, pendingBytes: 999), headLimit: limits.head, bufferSize: limits.buffer) == true)
        #expect(machine.readsClient(.init(clientWritable: true, serverWritable: true, pendingBytes: 1_000), headLimit: limits.head, bufferSize: limits.buffer) == false)
        // A response body is read only while the client takes it.
        #expect(machine.readsServer(.init(clientWritable: false, serverWritable: true, pendingBytes: 0)))
        machine.responseBodyStarted()
        #expect(!machine.readsServer(.init(clientWritable: false, serverWritable: true, pendingBytes: 0)))
        machine.closing()
        #expect(machine.readsClient(Self.open, headLimit: limits.head, bufferSize: limits.buffer) == nil)
    }

    // MARK: Timeouts

    @Test func everyWaitingPhaseHasADeadline() {
        var machine = Machine(acceptProxy: false, handshake: true)
        #expect(deadline(machine)! == (Self.at(7_000), .handshake))
        machine.handshakeCompleted()
        #expect(deadline(machine)! == (Self.at(5_000), .requestHead))
        machine.requestCounted()
        machine.exchangeStarted()
        // Connecting: the client may still owe body bytes; no server yet.
        #expect(deadline(machine, serverChosen: false)! == (Self.at(30_100), .client))
        machine.requestWritten(bodyComplete: false)
        // Forwarding the body: the server's wait is the earlier one.
        #expect(deadline(machine)! == (Self.at(20_200), .server))
        // The server does not take more: only the server is waited on.
        #expect(deadline(machine, .init(clientWritable: true, serverWritable: false, pendingBytes: 0))! == (Self.at(20_200), .server))
        machine.requestBodyForwarded()
        machine.responseBodyStarted()
        #expect(deadline(machine)! == (Self.at(20_200), .server))
        machine.exchangeEnded(keepAlive: true)
        #expect(deadline(machine)! == (Self.at(2_000), .idleBetweenRequests))
        // Bytes of the next head have come: `timeout http-request`.
        #expect(deadline(machine, .init(clientWritable: true, serverWritable: nil, pendingBytes: 3))! == (Self.at(5_000), .requestHead))
        // Answers the client does not read hold the next requests: `timeout client`.
        #expect(deadline(machine, .init(clientWritable: false, serverWritable: nil, pendingBytes: 3))! == (Self.at(30_100), .clientNotReading))
    }

    /// Issue 11: a closing connection whose client stops reading kept its slot forever when the
    /// closing phase had no timer. It has one: `timeout client` from the client's last activity.
    @Test func theClosingPhaseHasTheClientTimeout() {
        var machine = inExchange(bodyComplete: true)
        machine.closing()
        #expect(deadline(machine)! == (Self.at(30_100), .closing))
        var noClientTimeout = Self.timeouts
        noClientTimeout.client = nil
        #expect(machine.deadline(timeouts: noClientTimeout, handshakeLimit: .seconds(1), activity: Self.activity, sockets: Self.open, serverChosen: true) == nil)
    }

    @Test func tarpitAndTunnelDeadlines() {
        var tarpit = Machine(acceptProxy: false, handshake: false)
        tarpit.exchangeStarted()
        tarpit.tarpitStarted(until: Self.at(1_234))
        #expect(deadline(tarpit)! == (Self.at(1_234), .tarpit))

        var tunnel = inExchange(bodyComplete: true)
        _ = tunnel.switchedProtocols()
        #expect(deadline(tunnel)! == (Self.at(60_100), .tunnel))
        // The client's socket full and the server's FIN passed on: the server side's timeout.
        _ = tunnel.serverInputEnded()
        let clientFull = Machine.Sockets(clientWritable: false, serverWritable: true, pendingBytes: 0)
        #expect(deadline(tunnel, clientFull)?.1 == .tunnel)
        _ = tunnel.clientInputEnded(Self.end())
        // Both FINs passed and nothing held: nothing is waited on.
        #expect(deadline(tunnel) == nil)
    }

    // MARK: The server's close

    @Test func aServerCloseMeansWhatThePhaseSays() {
        var machine = inExchange(bodyComplete: true)
        #expect(machine.serverClosed(canRetry: true, bodyEndsAtClose: false) == .retry)
        #expect(machine.serverClosed(canRetry: false, bodyEndsAtClose: false) == .badGateway)
        machine.responseBodyStarted()
        #expect(machine.serverClosed(canRetry: false, bodyEndsAtClose: true) == .responseComplete)
        #expect(machine.serverClosed(canRetry: false, bodyEndsAtClose: false) == .abort)
        machine.serverDetached()
        machine.exchangeEnded(keepAlive: true)
        #expect(machine.serverClosed(canRetry: false, bodyEndsAtClose: false) == .none)
    }
}
