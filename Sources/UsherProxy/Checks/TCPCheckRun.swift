import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// One run of a check sequence (`tcp-check` rules or a protocol check): does what its
/// `TCPCheckStateMachine` says — opens each connection (over TLS for `connect ssl`, with a PROXY
/// header for `send-proxy`), writes, arms the timeouts — and feeds it what the server does. Lives
/// on the check's event loop only.
final class TCPCheckRun {
    /// Where and how to connect, from the checker.
    struct Target {
        /// The check's address: its `addr`/`port` applied, else the server's.
        var address: SocketAddress
        /// The server's TLS context, for `connect ssl` (nil when the server has none).
        var tls: ServerTLSContext?
        var connectTimeout: TimeAmount
        var responseTimeout: TimeAmount
    }

    private var machine: TCPCheckStateMachine
    private let target: Target
    private let eventLoop: EventLoop
    private let latch: CheckOutcomeLatch
    private var channel: Channel?
    private var timer: Scheduled<Void>?
    private var connecting = false

    init(program: TCPCheckProgram, processVariables: ProcessVariables?, target: Target, eventLoop: EventLoop, latch: CheckOutcomeLatch) {
        machine = TCPCheckStateMachine(program: program, processVariables: processVariables)
        self.target = target
        self.eventLoop = eventLoop
        self.latch = latch
    }

    func start() {
        perform(machine.start())
    }

    private func perform(_ actions: [TCPCheckStateMachine.Action]) {
        for action in actions {
            switch action {
            case .connect(let step): open(step)
            case .send(let bytes):
                guard let channel, !bytes.isEmpty else { continue }
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
            case .wait:
                break
            case .finish(let verdict):
                timer?.cancel()
                timer = nil
                let open = channel
                channel = nil
                open?.close(promise: nil)
                latch.settle(.verdict(verdict))
            }
        }
    }

    /// The address of a `connect` step: its `addr` and `port`, else the check's.
    private func address(for step: TCPCheckRule.Connect) throws -> SocketAddress {
        var address = target.address
        if let host = step.address {
            address = try SocketAddress(ipAddress: host, port: step.port ?? address.port ?? 0)
        } else if let port = step.port, address.pathname == nil {
            address.port = port
        }
        return address
    }

    private func open(_ step: TCPCheckRule.Connect) {
        if let previous = channel {
            channel = nil
            previous.close(promise: nil)
        }
        timer?.cancel()
        let address: SocketAddress
        do {
            address = try self.address(for: step)
        } catch {
            perform(machine.connectFailed(timedOut: false, reason: "\(error)"))
            return
        }
        let tls = step.ssl ? target.tls : nil
        if step.ssl && tls == nil {
            perform(machine.handshakeFailed(timedOut: false))
            return
        }
        connecting = true
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        let deadline = NIODeadline.now() + target.connectTimeout
        ClientBootstrap(group: eventLoop)
            .connectTimeout(target.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = TCPCheckHandler(run: bound.value)
                    guard let tls else {
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return
                    }
                    // The handshake goes first; the sequence goes on once it is done.
                    try tls.addHandlers(to: channel, serverName: step.sni ?? tls.settings.checkSNI, forCheck: true, deadline: deadline) { result in
                        let run = bound.value
                        guard run.connecting, !run.machine.isFinished else { return }
                        switch result {
                        case .success: run.established(channel, sendProxy: step.sendProxy)
                        case .failure(let error): run.perform(run.machine.handshakeFailed(timedOut: error.isTimeout))
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(to: address)
            .whenComplete { result in
                let run = bound.value
                switch result {
                case .success(let channel):
                    guard !run.machine.isFinished else {
                        channel.close(promise: nil)
                        return
                    }
                    run.channel = channel
                    if tls == nil { run.established(channel, sendProxy: step.sendProxy) }
                case .failure(let error):
                    run.connecting = false
                    var timedOut = false
                    if case ChannelError.connectTimeout = error { timedOut = true }
                    run.perform(run.machine.connectFailed(timedOut: timedOut, reason: timedOut ? nil : CheckOutcome.describe(error)))
                }
            }
    }

    /// The connection (and its TLS, if any) is up: the sequence goes on, with a fresh timeout.
    private func established(_ channel: Channel, sendProxy: Bool) {
        guard connecting else { return }
        connecting = false
        if sendProxy {
            channel.writeAndFlush(channel.allocator.buffer(bytes: ProxyProtocolHeader.unknownV1), promise: nil)
        }
        timer?.cancel()
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(in: target.responseTimeout) {
            let run = bound.value
            run.perform(run.machine.timedOut())
        }
        perform(machine.connected())
        // Bytes that arrived while the connection was being reported are judged now.
        if let handler = try? channel.pipeline.syncOperations.handler(type: TCPCheckHandler.self) { handler.flushEarly() }
    }

    // MARK: - From the handler

    fileprivate func received(_ buffer: ByteBuffer, on channel: Channel) {
        guard channel === self.channel, !connecting else { return }
        perform(machine.received(buffer.readableBytesView))
    }

    fileprivate func closed(_ channel: Channel) {
        guard channel === self.channel, !connecting else { return }
        perform(machine.closedByPeer())
    }

    fileprivate func failed(_ channel: Channel, _ error: Error) {
        // While connecting, the connection's or the handshake's own report decides.
        guard channel === self.channel, !connecting else { return }
        perform(machine.socketError(CheckOutcome.describe(error)))
    }
}

@available(*, unavailable)
extension TCPCheckRun: Sendable {}

/// Passes a check connection's bytes, end and errors to its `TCPCheckRun`. Bytes that arrive
/// before the run has taken the connection as established (a server that speaks first, as SMTP
/// and MySQL do) are kept and handed over then.
final class TCPCheckHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let run: TCPCheckRun
    private var early: [ByteBuffer] = []
    private var earlyClose = false
    private var context: ChannelHandlerContext?
    private var established = false

    fileprivate init(run: TCPCheckRun) {
        self.run = run
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    fileprivate func flushEarly() {
        guard let context else { return }
        established = true
        let pending = early
        early = []
        for buffer in pending { run.received(buffer, on: context.channel) }
        if earlyClose { run.closed(context.channel) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard established else {
            early.append(buffer)
            return
        }
        run.received(buffer, on: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if established { run.closed(context.channel) } else { earlyClose = true }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            if established { run.closed(context.channel) } else { earlyClose = true }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        run.failed(context.channel, error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension TCPCheckHandler: Sendable {}
