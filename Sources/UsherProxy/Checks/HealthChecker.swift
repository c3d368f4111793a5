import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// Checks one server again and again on one event loop, and marks it up or down as its
/// `HealthStateMachine` decides, logging each change as HAProxy words it.
final class HealthChecker: Sendable {
    let server: ServerRuntime
    let backend: BackendRuntime
    let runtime: ProxyRuntime
    let eventLoop: EventLoop
    let kind: HealthCheckKind
    /// Where checks go when the server line names a check `addr`; else they follow the server's
    /// address (which `set server … addr` may change), on the check `port` if one is given.
    let fixedAddress: SocketAddress?
    let checkPort: Int?
    var address: SocketAddress {
        if let fixedAddress { return fixedAddress }
        var address = server.address
        if let checkPort, address.pathname == nil { address.port = checkPort }
        return address
    }
    let connectTimeout: TimeAmount
    /// How long to wait for the answer to a probe, after connecting.
    let responseTimeout: TimeAmount
    /// `option log-health-checks`: every change of the server's health is logged.
    let logsHealthChecks: Bool
    private let state: NIOLockedValueBox<(machine: HealthStateMachine, task: Scheduled<Void>?, stopped: Bool)>

    init(server: ServerRuntime, backend: BackendRuntime, runtime: ProxyRuntime, eventLoop: EventLoop) throws {
        self.server = server
        self.backend = backend
        self.runtime = runtime
        self.eventLoop = eventLoop
        let settings = backend.routes.proxy.settings
        logsHealthChecks = settings.isEnabled("log-health-checks")
        if settings.isEnabled("httpchk") {
            kind = .http(HTTPCheckProbe(settings.httpCheck ?? HTTPCheck()))
        } else if let program = backend.routes.checkProgram {
            kind = .sequence(program)
        } else {
            kind = settings.isEnabled("ssl-hello-chk") ? .sslHello : .tcpConnect
        }
        let config = server.server
        var checkAddress = config.address
        if let host = config.options.checkAddress {
            // `addr` moves the checks to an IP address, even for a server on a UNIX socket.
            checkAddress.host = host
            checkAddress.unixSocket = nil
        }
        if let port = config.options.checkPort { checkAddress.ports = port...port }
        checkPort = config.options.checkPort
        fixedAddress = config.options.checkAddress == nil ? nil : try ServerAddressBook.resolve(checkAddress, defaultPort: 0)
        // Without `timeout check`, `inter` bounds the connection and the answer; with it,
        // min(`timeout connect`, `inter`) bounds the connection and `timeout check` the answer.
        let inter = TimeAmount.milliseconds(config.inter.milliseconds)
        if let check = settings.timeouts.check {
            let connect = settings.timeouts.connect.map { TimeAmount.milliseconds(max(1, $0.milliseconds)) } ?? inter
            connectTimeout = min(connect, inter)
            responseTimeout = .milliseconds(max(1, check.milliseconds))
        } else {
            connectTimeout = inter
            responseTimeout = inter
        }
        state = NIOLockedValueBox((HealthStateMachine(
            rise: config.rise, fall: config.fall, inter: config.inter, fastinter: config.fastinter, downinter: config.downinter
        ), nil, false))
    }

    /// A reload in place: this checker replaces `old` for the same server and goes on from its
    /// health count (when `rise` and `fall` are the same), so a reload neither marks a server up
    /// nor resets the failures it was counting.
    func continueFrom(_ old: HealthChecker) {
        let before = old.state.withLockedValue { $0.machine }
        state.withLockedValue { state in
            guard state.machine.rise == before.rise, state.machine.fall == before.fall else { return }
            state.machine.setHealth(before.health)
        }
    }

    func start(initialDelay: TimeAmount) {
        server.observer.checker = self
        schedule(after: initialDelay)
    }

    func stop() {
        state.withLockedValue { state in
            state.stopped = true
            state.task?.cancel()
        }
    }

    private func schedule(after delay: TimeAmount) {
        state.withLockedValue { state in
            guard !state.stopped, !runtime.isStopping.load(ordering: .relaxed) else { return }
            state.task = eventLoop.scheduleTask(in: delay) { [self] in self.runCheck() }
        }
    }

    private func runCheck() {
        if server.inResolutionMaintenance {
            // No address to check: wait for DNS to give one.
            schedule(after: .milliseconds(max(1, server.server.inter.milliseconds)))
            return
        }
        if server.admin == .maintenance {
            // As HAProxy: no checks while in maintenance (`disable server`); they resume after.
            schedule(after: .milliseconds(max(1, server.server.inter.milliseconds)))
            return
        }
        let started = NIODeadline.now()
        if case .sequence(let program) = kind {
            runSequence(program, started: started)
            return
        }
        let tls = server.checkTLS
        let probe: ProbeHandler.Probe?
        switch kind {
        case .sequence: return
        case .tcpConnect: probe = nil
        // Over TLS, the handshake is the Layer 6 check (`check-ssl` replaces `ssl-hello-chk`).
        case .sslHello: probe = tls != nil ? nil : .sslHello(SSLHelloProbe.bytes(unixTime: UInt32(truncatingIfNeeded: LogClock.wallMicroseconds() / 1_000_000)))
        case .http(let check): probe = .http(check)
        }
        let promise = eventLoop.makePromise(of: CheckOutcome.self)
        let latch = NIOLoopBound(CheckOutcomeLatch(promise), eventLoop: eventLoop)
        let responseTimeout = self.responseTimeout
        let deadline = started + connectTimeout
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let tls else {
                        try channel.pipeline.syncOperations.addHandler(ProbeHandler(probe: probe, latch: latch.value, timeout: responseTimeout))
                        return
                    }
                    try tls.addHandlers(to: channel, serverName: tls.settings.checkSNI, forCheck: true, deadline: deadline) { result in
                        switch result {
                        case .success where probe == nil:
                            latch.value.settle(.passed(layer: 6))
                            channel.close(promise: nil)
                        case .success:
                            // The probe goes once the handshake is done: its answer's timeout starts then.
                            do {
                                try channel.pipeline.syncOperations.addHandler(ProbeHandler(probe: probe, latch: latch.value, timeout: responseTimeout))
                            } catch {
                                latch.value.settle(.tlsHandshakeFailed)
                                channel.close(promise: nil)
                            }
                        case .failure(let error):
                            latch.value.settle(error.isTimeout ? .timeout(layer: 6) : .tlsHandshakeFailed)
                        }
                    }
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    if probe == nil && tls == nil {
                        latch.value.settle(.passed(layer: 4))
                        channel.close(promise: nil)
                    }
                case .failure(let error):
                    latch.value.settle(CheckOutcome.connectFailure(error))
                }
            }
        promise.futureResult.whenSuccess { [self] outcome in
            let duration = Int((NIODeadline.now() - started).nanoseconds / 1_000_000)
            self.report(outcome, durationMilliseconds: duration)
        }
    }

    /// A check sequence: `TCPCheckRun` drives its state machine.
    private func runSequence(_ program: TCPCheckProgram, started: NIODeadline) {
        let promise = eventLoop.makePromise(of: CheckOutcome.self)
        let target = TCPCheckRun.Target(
            address: address, tls: server.tls, connectTimeout: connectTimeout, responseTimeout: responseTimeout
        )
        let run = TCPCheckRun(
            program: program, processVariables: runtime.processVariables, target: target, eventLoop: eventLoop, latch: CheckOutcomeLatch(promise)
        )
        run.start()
        promise.futureResult.whenSuccess { [self] outcome in
            let duration = Int((NIODeadline.now() - started).nanoseconds / 1_000_000)
            self.report(outcome, durationMilliseconds: duration)
        }
    }

    private func report(_ outcome: CheckOutcome, durationMilliseconds: Int) {
        let (transition, next, stopped, health, healthBefore, healthStatus) = state.withLockedValue { state in
            let before = state.machine.health
            let transition = state.machine.record(success: outcome.isSuccess)
            return (transition, state.machine.nextInterval, state.stopped, state.machine.health, before, state.machine.logStatus(draining: isDraining))
        }
        guard !stopped else { return }
        let previousStatus = server.checkReport.withLockedValue { $0.status }
        if logsHealthChecks
            && HealthStateMachine.logsCheck(previousStatus: previousStatus, status: outcome.statusCode, healthBefore: healthBefore, healthAfter: health)
        {
            logHealthCheck(outcome, durationMilliseconds: durationMilliseconds, status: healthStatus)
        }
        server.checkReport.withLockedValue {
            $0.record(
                status: outcome.statusCode, code: outcome.code, description: outcome.reason, output: outcome.info, durationMilliseconds: durationMilliseconds,
                health: health, passed: outcome.isSuccess, transition: transition
            )
        }
        if !outcome.isSuccess { server.counters.add(.checkFailures) }
        if transition == .wentDown { server.counters.add(.checkDowns) }
        apply(transition, details: logsHealthChecks ? nil : Self.checkDetails(outcome, durationMilliseconds: durationMilliseconds))
        schedule(after: .milliseconds(max(1, next.milliseconds)))
    }
}

extension HealthChecker {
    /// A change of the server's health: marks it, logs it as HAProxy words it (`details`: the
    /// reason, when no other line has given it), serves the queue, runs `on-marked-*`.
    func apply(_ transition: HealthStateMachine.Transition, details: String?) {
        guard transition != .none else { return }
        let isUp = transition == .cameUp
        // `slowstart` counts from here (never at start: the first transition is from the
        // assumed state, and only a server seen down comes back up).
        if isUp { server.cameUpAt.store(ServerRuntime.nowMilliseconds(), ordering: .relaxed) }
        server.up.store(isUp, ordering: .relaxed)
        let (active, backup) = backend.upCounts
        // HAProxy's wording, down to the counters at the end.
        var message = "Server \(server.qualifiedName) is \(isUp ? "UP" : "DOWN")"
        if let details { message += ", " + details }
        message += ". \(active) active and \(backup) backup servers \(isUp ? "online" : "left")."
        if isUp {
            message += " 0 sessions requeued, \(backend.queueLength) total in queue."
        } else {
            message += " \(server.currentConnections) sessions active, 0 requeued, \(backend.queueLength) remaining in queue."
        }
        runtime.event(message, level: isUp ? .notice : .alert, backend: backend)
        if !isUp && active == 0 && backup == 0 {
            runtime.event("backend \(backend.name) has no server available!", level: .emerg, backend: backend)
        }
        backend.stateReport.withLockedValue { $0.observe(isUp: active + backup > 0) }
        backend.serveQueue()
        applyMarkedActions(isUp: isUp)
    }

    /// `observe`: the server's traffic saw `error-limit` errors in a row. Its `on-error` mode
    /// applies, and the next check comes at `fastinter`.
    func observedErrorLimitReached() {
        eventLoop.execute { [self] in
            let action = server.server.onError
            let (transition, health, stopped) = state.withLockedValue { state in
                let transition = state.machine.observedErrors(action)
                state.task?.cancel()
                return (transition, state.machine.health, state.stopped)
            }
            guard !stopped else { return }
            server.checkReport.withLockedValue { $0.observeHealth(health, transition: transition) }
            if transition == .wentDown { server.counters.add(.checkDowns) }
            apply(transition, details: "reason: Health analyze, info: \"Detected \(server.server.errorLimit) consecutive errors, last one was: connection error\"")
            schedule(after: .milliseconds(max(1, server.server.fastinter.milliseconds)))
        }
    }

    /// `on-marked-down shutdown-sessions`: the server's sessions are cut when it goes down;
    /// `on-marked-up shutdown-backup-sessions`: an active server with weight that comes up cuts the
    /// sessions of the backend's backup servers, so their clients come back to it.
    func applyMarkedActions(isUp: Bool) {
        let options = server.server.options
        if !isUp, options.onMarkedDown == .shutdownSessions {
            for session in runtime.sessions.all where session.isOn(server) { session.shutDown() }
        }
        if isUp, options.onMarkedUp == .shutdownBackupSessions, !server.server.isBackup, server.weight > 0 {
            let backups = backend.servers.filter { $0.server.isBackup }
            guard !backups.isEmpty else { return }
            for session in runtime.sessions.all where backups.contains(where: { session.isOn($0) }) { session.shutDown() }
        }
    }
}

/// The result of one check, with HAProxy's wording for its reason.
enum CheckOutcome: Sendable {
    case passed(layer: Int)
    case connectFailure(Error)
    case timeout(layer: Int)
    case invalidResponse
    case closedWithoutResponse
    /// The TLS handshake of a check over TLS failed (or the certificate did not carry the name).
    case tlsHandshakeFailed
    /// An HTTP check's verdict, with HAProxy's reason, the status and its reason phrase.
    case layer7(passed: Bool, reason: String, code: Int?, info: String?)
    /// The verdict of a check sequence (`tcp-check` rules, a protocol check).
    case verdict(CheckVerdict)

    var isSuccess: Bool {
        switch self {
        case .passed: return true
        case .layer7(let passed, _, _, _): return passed
        case .verdict(let verdict): return verdict.isPassing
        default: return false
        }
    }

    /// The HTTP status of a Layer 7 check.
    var code: Int? {
        if case .layer7(_, _, let code, _) = self { return code }
        if case .verdict(let verdict) = self { return verdict.code }
        return nil
    }

    var reason: String {
        switch self {
        case .passed(let layer): return "Layer\(layer) check passed"
        case .connectFailure(let error):
            if case ChannelError.connectTimeout = error { return "Layer4 timeout" }
            return "Layer4 connection problem"
        case .timeout(let layer): return "Layer\(layer) timeout"
        case .invalidResponse, .closedWithoutResponse, .tlsHandshakeFailed: return "Layer6 invalid response"
        case .layer7(_, let reason, _, _): return reason
        case .verdict(let verdict): return verdict.description
        }
    }

    var info: String? {
        switch self {
        case .connectFailure(let error):
            if case ChannelError.connectTimeout = error { return nil }
            return Self.describe(error)
        case .closedWithoutResponse: return "connection closed without a response"
        // HAProxy's words for this connection error.
        case .tlsHandshakeFailed: return "SSL handshake failure"
        case .layer7(_, _, _, let info): return info
        case .verdict(let verdict): return verdict.info
        default: return nil
        }
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case 111: return "Connection refused"
            case 113: return "No route to host"
            case 110: return "Connection timed out"
            case 104: return "Connection reset by peer"
            default: return "\(io)"
            }
        }
        if let multiple = error as? NIOConnectionError, let first = multiple.connectionErrors.first {
            return describe(first.error)
        }
        return "\(error)"
    }
}

/// Settles a check's outcome once: the connection, the TLS handshake and the probe may each have
/// something to say, and only the first counts. Used on the check's event loop only.
final class CheckOutcomeLatch {
    private let promise: EventLoopPromise<CheckOutcome>
    private var settled = false

    init(_ promise: EventLoopPromise<CheckOutcome>) {
        self.promise = promise
    }

    func settle(_ outcome: CheckOutcome) {
        guard !settled else { return }
        settled = true
        promise.succeed(outcome)
    }
}

@available(*, unavailable)
extension CheckOutcomeLatch: Sendable {}

/// Sends the probe (if any) and judges the answer: the first byte for an SSL hello, the status
/// line (and body, when an expectation reads it) for an HTTP check.
private final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Probe {
        case sslHello([UInt8])
        case http(HTTPCheckProbe)

        var bytes: [UInt8] {
            switch self {
            case .sslHello(let bytes): return bytes
            case .http(let check): return check.request
            }
        }
    }

    let probe: Probe?
    let latch: CheckOutcomeLatch
    let timeout: TimeAmount
    var timer: Scheduled<Void>?
    var done = false
    /// An HTTP check's answer so far (bounded like a response head).
    var answer: [UInt8] = []

    init(probe: Probe?, latch: CheckOutcomeLatch, timeout: TimeAmount) {
        self.probe = probe
        self.latch = latch
        self.timeout = timeout
    }

    /// Settles the check once; later events are ignored.
    func finish(_ outcome: CheckOutcome, context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        timer?.cancel()
        latch.settle(outcome)
        context.close(promise: nil)
    }

    /// Added once the TLS handshake of a check over TLS is done: the connection is already up.
    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { sendProbe(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendProbe(context: context)
        context.fireChannelActive()
    }

    private func sendProbe(context: ChannelHandlerContext) {
        if let probe {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: probe.bytes)), promise: nil)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let layer = if case .http = probe { 7 } else { 6 }
            timer = context.eventLoop.scheduleTask(in: timeout) {
                let (handler, context) = bound.value
                handler.finish(.timeout(layer: layer), context: context)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        switch probe {
        case nil:
            return
        case .sslHello:
            guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
            finish(SSLHelloProbe.isValidResponse(firstByte: first) ? .passed(layer: 6) : .invalidResponse, context: context)
        case .http(let check):
            answer += buffer.readableBytesView
            let full = answer.count >= 16_384
            // A status expectation needs the head only; a body one waits for the end (or the limit).
            if !check.readsBody || full || HTTPCheckProbe.isComplete(answer), let outcome = check.judge(answer) {
                finish(outcome, context: context)
            } else if full {
                finish(.layer7(passed: false, reason: "Layer7 invalid response", code: nil, info: nil), context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .http(let check) = probe, !done {
            finish(check.judge(answer) ?? .layer7(passed: false, reason: "Layer7 invalid response", code: nil, info: nil), context: context)
        } else if probe != nil {
            finish(.closedWithoutResponse, context: context)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
