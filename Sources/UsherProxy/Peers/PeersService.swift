import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

#if canImport(Glibc)
import Glibc
#endif

/// One `peers` section at work: listens on the local peer's address, keeps one connection to each
/// remote peer (connecting, with backoff, when there is none), and runs each connection's
/// `PeerSessionStateMachine`: pushes the local changes of the shared tables, applies the peers'
/// changes, asks one peer for everything at start (resync) and teaches any peer that asks.
///
/// Everything but `start` and `stop` runs on `eventLoop`; the state is confined to it.
final class PeersService: @unchecked Sendable {
    /// One connection and its machine; like the service's state, touched on its event loop only.
    final class Session: @unchecked Sendable {
        let incoming: Bool
        var machine: PeerSessionStateMachine
        var channel: Channel?
        var peer: String?
        var lastError: String?
        var established = false
        /// A lesson under way: the keys of each table when it began, and how far it went.
        var lesson: Lesson?
        /// Replaced by another session with the same peer: closed as soon as it has a channel
        /// (a connection still being made has none yet).
        var discarded = false

        init(incoming: Bool, machine: PeerSessionStateMachine, peer: String?) {
            self.incoming = incoming
            self.machine = machine
            self.peer = peer
        }
    }

    /// Teaching a peer everything, a part per turn while it reads, so that a large table is never
    /// copied whole into memory or into the connection's buffer.
    struct Lesson {
        var keys: [[StickKey]]
        var table = 0
        var offset = 0
        /// The lesson is the hand-over to the next process.
        var isHandOver: Bool
        var taught = 0
    }

    /// Entries taught per turn and connection, at most.
    static let lessonPart = 2000

    /// A remote peer: its address, its connection, and what it acknowledged.
    struct Remote {
        var name: String
        var addressText: String
        var address: SocketAddress?
        var session: Session?
        /// Per table: the last local update the peer acknowledged (pushing resumes after it).
        var acknowledged: [UInt32]
        var nextAttempt: Int64 = 0
        var failures = 0
        /// 0 once the peer refused `HAProxyS 2.1` as a bad version (an HAProxy older than 2.1).
        var minorVersion = 1
        var lastStatus = "not connected yet"
        var connectedSince: Int64?
    }

    let section: PeersSection
    let configuration: PeerSessionStateMachine.Configuration
    let tables: [StickTable]
    let eventLoop: EventLoop
    let logger: Logger
    let listenAddress: String
    private var listener: Channel?
    private var remotes: [String: Remote] = [:]
    private var sessions: [ObjectIdentifier: Session] = [:]
    private var timer: RepeatedTask?
    private var stopped = false
    /// Whether this instance has learnt what its peers know (or gave up waiting).
    private var synced = false
    private var learner: String?
    private var resyncDeadline: Int64 = 0
    private var notToAsk: Set<String> = []
    /// A reload: the previous process is expected to teach the tables until then (HAProxy waits
    /// for its old process the same way before asking a remote peer).
    private var previousProcessDeadline: Int64 = 0
    /// Soft stop: the tables go to the next process (the local peer at the same address).
    private var handingOver = false
    private var handOverDeadline: Int64 = 0
    /// The connection to the next process, while the hand-over lasts.
    private var handOverSession: Session?
    /// Set once the hand-over ended (taught, given up, or not needed); read from any thread.
    let handOverFinished = NIOLockedValueBox(false)
    private let origin = StickTable.monotonicMilliseconds()
    /// Updates pushed per table per turn, so that one busy table cannot hold the loop.
    static let pushBatch = 1000
    static let tick = TimeAmount.milliseconds(100)

    /// nil when the section has no peer named `localName` (it is then ignored, as HAProxy does)
    /// or no table.
    init?(section: PeersSection, localName: String, stickTables: StickTableSet, eventLoop: EventLoop, logger: Logger) {
        guard !section.isDisabled, let own = section.peers.first(where: { $0.name == localName }),
              let address = own.address ?? section.bind else { return nil }
        let tables = stickTables.ordered.filter { $0.definition.peers == section.name }
        self.section = section
        self.tables = tables
        self.eventLoop = eventLoop
        self.listenAddress = address
        var logger = logger
        logger[metadataKey: "peers"] = "\(section.name)"
        self.logger = logger
        // The local peer's own name is accepted too: the previous process of this instance
        // teaching the tables on reload.
        let names = section.peers.map(\.name)
        configuration = PeerSessionStateMachine.Configuration(localName: localName, remoteNames: Set(names), tables: tables.map(\.definition))
        for peer in section.peers where peer.name != localName {
            guard let text = peer.address else { continue }
            remotes[peer.name] = Remote(
                name: peer.name, addressText: text, address: Self.resolve(text), acknowledged: Array(repeating: 0, count: tables.count),
                nextAttempt: Int64.random(in: 0...300))
        }
        synced = remotes.isEmpty
    }

    private var now: Int64 { StickTable.monotonicMilliseconds() - origin }

    static func resolve(_ text: String) -> SocketAddress? {
        guard case .success(let address) = Address.parse(text, portRequired: true), let port = address.ports?.lowerBound else { return nil }
        let host = address.host.flatMap { $0.isEmpty || $0 == "*" ? nil : $0 } ?? "0.0.0.0"
        return try? SocketAddress.makeAddressResolvingHost(host, port: port)
    }

    // MARK: - Start and stop

    func start(waitingForPreviousProcess: Bool = false) throws {
        guard let address = Self.resolve(listenAddress) else {
            throw UsherServer.StartError(description: "peers '\(section.name)' (\(section.location)): cannot resolve the local peer's address '\(listenAddress)'")
        }
        // SO_REUSEPORT: on reload, the next process listens while this one still does.
        let bootstrap = ServerBootstrap(group: eventLoop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
            .serverChannelInitializer { [section, logger] channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors, wait and say why rather than spin.
                    try channel.pipeline.syncOperations.addHandler(AcceptShortageHandler(proxyName: section.name) { logger.error("\($0)") })
                }
            }
            .childChannelInitializer { [self] channel in
                let session = Session(incoming: true, machine: PeerSessionStateMachine(configuration: configuration, connectingTo: nil, now: now), peer: nil)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PeerChannelHandler(service: self, session: session))
                }
            }
        do {
            listener = try bootstrap.bind(to: address).wait()
        } catch {
            throw UsherServer.StartError(description: "peers '\(section.name)' (\(section.location)): cannot listen on \(listenAddress): \(error)")
        }
        for table in tables {
            table.setChangeHandler { [self] in
                eventLoop.execute { [self] in pushChanges() }
            }
        }
        resyncDeadline = now + 5000
        if waitingForPreviousProcess, !remotes.isEmpty {
            previousProcessDeadline = now + 5000
            resyncDeadline = now + 10_000
        }
        updateStatus()
        timer = eventLoop.scheduleRepeatedTask(initialDelay: Self.tick, delay: Self.tick) { [self] _ in turn() }
        logger.info("peers '\(section.name)': listening on \(listenAddress) as '\(configuration.localName)', sharing \(tables.count) table(s) with \(remotes.count) peer(s)")
    }

    /// The address the listener is bound to (its real port when configured with port 0).
    var boundAddress: SocketAddress? { listener?.localAddress }

    func stop() {
        for table in tables { table.setChangeHandler(nil) }
        try? eventLoop.submit { [self] in
            stopped = true
            timer?.cancel()
            listener?.close(promise: nil)
            for session in sessions.values {
                session.discarded = true
                session.channel?.close(promise: nil)
            }
        }.wait()
    }

    // MARK: - The loop's turn

    /// Soft stop (the next process listens already): stops listening and talking to the other
    /// peers, and teaches the next process everything, as HAProxy's old process does on reload.
    func handOver() {
        eventLoop.execute { [self] in
            guard !stopped, !handingOver else { return }
            handingOver = true
            handOverDeadline = now + 15_000
            for name in remotes.keys { remotes[name]!.nextAttempt = Int64.max }
            for session in sessions.values {
                session.discarded = true
                session.channel?.close(promise: nil)
            }
            guard let listener else {
                handOverFinished.withLockedValue { $0 = true }
                return
            }
            listener.close().whenComplete { [self] _ in
                self.listener = nil
                guard let address = Self.resolve(listenAddress) else {
                    handOverFinished.withLockedValue { $0 = true }
                    return
                }
                connectToNextProcess(address)
            }
        }
    }

    private func connectToNextProcess(_ address: SocketAddress) {
        let name = configuration.localName
        let session = Session(incoming: false, machine: PeerSessionStateMachine(configuration: configuration, connectingTo: name, now: now), peer: name)
        sessions[ObjectIdentifier(session)] = session
        handOverSession = session
        connect(session, to: address, describedAs: "the next process at \(listenAddress)")
    }

    /// Opens the connection of an outgoing session; a failure ends the session.
    private func connect(_ session: Session, to address: SocketAddress, describedAs description: String) {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(5))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PeerChannelHandler(service: self, session: session))
                }
            }
            .connect(to: address)
            .whenFailure { [self] error in
                session.lastError = "\(error)"
                finish(session, reason: "cannot connect to \(description): \(error)")
            }
    }

    private func turn() {
        guard !stopped else { return }
        let now = self.now
        if handingOver {
            for session in Array(sessions.values) {
                perform(session.machine.tick(now: now), on: session)
                continueLesson(session)
            }
            if now >= handOverDeadline { handOverFinished.withLockedValue { $0 = true } }
            return
        }
        if !synced, now >= resyncDeadline {
            synced = true
            learner = nil
            logger.info("peers '\(section.name)': no peer finished teaching the tables in time; going on with what was learnt")
        }
        for name in remotes.keys.sorted() where remotes[name]!.session == nil && now >= remotes[name]!.nextAttempt {
            connect(name)
        }
        for session in Array(sessions.values) {
            perform(session.machine.tick(now: now), on: session)
            guard session.established, !session.machine.isClosed, let peer = session.peer, peer != configuration.localName else { continue }
            if !synced, learner == nil, !notToAsk.contains(peer), now >= previousProcessDeadline {
                learner = peer
                resyncDeadline = now + 5000
                write(session.machine.requestResync(now: now), on: session)
            }
            continueLesson(session)
            pushUpdates(session, now: now)
            session.channel?.flush()
        }
        updateStatus()
    }

    /// Sends the next part of the session's lesson, if the peer keeps reading; ends it once every
    /// table was taught.
    private func continueLesson(_ session: Session) {
        guard var lesson = session.lesson, session.established, session.channel?.isWritable == true else { return }
        var budget = Self.lessonPart
        while budget > 0, lesson.table < lesson.keys.count {
            let keys = lesson.keys[lesson.table]
            let end = min(keys.count, lesson.offset + budget)
            let entries = tables[lesson.table].peerEntries(for: keys[lesson.offset..<end])
            write(session.machine.teach(table: lesson.table, entries: entries, now: now), on: session)
            lesson.taught += entries.count
            budget -= end - lesson.offset
            lesson.offset = end
            if lesson.offset >= keys.count {
                lesson.keys[lesson.table] = []
                lesson.table += 1
                lesson.offset = 0
            }
        }
        if lesson.table >= lesson.keys.count {
            write(session.machine.endLesson(complete: synced, now: now), on: session)
            session.lesson = nil
            if lesson.isHandOver {
                logger.info("peers '\(section.name)': taught \(lesson.taught) entries to the next process")
            }
        } else {
            session.lesson = lesson
        }
        session.channel?.flush()
    }

    /// A local change: pushed at once to every established peer (not waiting for the next turn).
    private func pushChanges() {
        guard !stopped, !handingOver else { return }
        let now = self.now
        for table in tables { table.takeChangeSignal() }
        for session in sessions.values where session.established && !session.machine.isClosed {
            guard let peer = session.peer, peer != configuration.localName else { continue }
            pushUpdates(session, now: now)
            session.channel?.flush()
        }
    }

    /// Pushes what changed since the last push, while the peer keeps reading (a peer that stops
    /// reading gets nothing more queued; it is given up when its session goes silent).
    private func pushUpdates(_ session: Session, now: Int64) {
        guard session.channel?.isWritable == true else { return }
        for (index, table) in tables.enumerated() where table.lastLocalUpdate != session.machine.lastPushed[index] {
            let updates = table.localUpdates(after: session.machine.lastPushed[index], limit: Self.pushBatch)
            guard !updates.isEmpty else { continue }
            write(session.machine.push(table: index, updates: updates, now: now), on: session)
        }
    }

    private func connect(_ name: String) {
        guard var remote = remotes[name] else { return }
        if remote.address == nil { remote.address = Self.resolve(remote.addressText) }
        guard let address = remote.address else {
            remote.lastStatus = "cannot resolve \(remote.addressText)"
            remote.nextAttempt = now + 5000
            remotes[name] = remote
            return
        }
        let session = Session(
            incoming: false,
            machine: PeerSessionStateMachine(
                configuration: configuration, connectingTo: name, minorVersion: remote.minorVersion, resumeFrom: remote.acknowledged, now: now),
            peer: name)
        remote.session = session
        remote.lastStatus = "connecting"
        remotes[name] = remote
        sessions[ObjectIdentifier(session)] = session
        connect(session, to: address, describedAs: remote.addressText)
    }

    // MARK: - Sessions' events

    /// Connections not yet known to be from a peer, at most (more are closed at once).
    static let maximumUnidentified = 16

    func sessionActive(_ session: Session) {
        if session.discarded || stopped {
            session.channel?.close(promise: nil)
            return
        }
        if session.incoming, sessions.values.filter({ $0.incoming && $0.peer == nil }).count >= Self.maximumUnidentified {
            logger.warning("peers '\(section.name)': more than \(Self.maximumUnidentified) connections waiting for their hello; closing a new one")
            session.channel?.close(promise: nil)
            return
        }
        sessions[ObjectIdentifier(session)] = session
        if !session.incoming {
            perform(session.machine.connected(now: now, processID: getpid()), on: session)
            session.channel?.flush()
        }
    }

    func sessionReceived(_ session: Session, bytes: ByteBufferView) {
        perform(session.machine.receive(bytes, now: now), on: session)
        session.channel?.flush()
    }

    func sessionClosed(_ session: Session) {
        finish(session, reason: session.lastError ?? "connection closed")
    }

    /// The session is over: its peer may be connected to again after a backoff.
    private func finish(_ session: Session, reason: String) {
        guard sessions.removeValue(forKey: ObjectIdentifier(session)) != nil else { return }
        session.machine.closed()
        // (The sessions with the other peers, closed when the hand-over began, end meanwhile.)
        if handingOver, session === handOverSession { handOverFinished.withLockedValue { $0 = true } }
        guard let name = session.peer, var remote = remotes[name], remote.session === session else { return }
        if session.established {
            logger.info("peers '\(section.name)': session with '\(name)' ended: \(reason)")
            remote.failures = 0
        } else {
            remote.failures += 1
        }
        remote.session = nil
        remote.connectedSince = nil
        if session.machine.refusedStatus == 502 { remote.minorVersion = 0 }
        remote.lastStatus = reason
        let backoff = min(5000, 250 << min(remote.failures, 5))
        remote.nextAttempt = max(remote.nextAttempt, now + Int64(backoff / 2) + Int64.random(in: 0...Int64(backoff / 2)))
        remotes[name] = remote
        if learner == name { learner = nil }
    }

    private func write(_ bytes: [UInt8], on session: Session) {
        guard !bytes.isEmpty, let channel = session.channel else { return }
        channel.write(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    private func perform(_ actions: [PeerSessionStateMachine.Action], on session: Session) {
        for action in actions {
            switch action {
            case .write(let bytes):
                write(bytes, on: session)
            case .identified(let peer) where peer == configuration.localName:
                // The previous process of this instance, come to teach its tables.
                session.peer = peer
                perform(session.machine.accept(now: now), on: session)
            case .identified(let peer):
                identified(session, as: peer)
            case .established:
                session.established = true
                if let name = session.peer, var remote = remotes[name] {
                    remote.failures = 0
                    remote.lastStatus = "established"
                    remote.connectedSince = now
                    remotes[name] = remote
                }
                logger.info("peers '\(section.name)': session with '\(session.peer ?? "?")' established (\(session.incoming ? "accepted" : "connected"))")
                if handingOver, !session.incoming, session.peer == configuration.localName {
                    session.lesson = Lesson(keys: tables.map { $0.liveKeys() }, isHandOver: true)
                    continueLesson(session)
                }
            case .apply(let table, let entry):
                tables[table].applyPeerEntry(entry)
            case .acknowledged(let table, let update):
                if let name = session.peer, remotes[name]?.session === session {
                    remotes[name]!.acknowledged[table] = update
                }
            case .resyncRequested:
                session.lesson = Lesson(keys: tables.map { $0.liveKeys() }, isHandOver: false)
                continueLesson(session)
            case .resyncEnded(let complete) where session.peer == configuration.localName:
                if complete, !synced {
                    synced = true
                    learner = nil
                }
                // Partial: the other peers are asked for the rest at once.
                previousProcessDeadline = 0
                logger.info("peers '\(section.name)': learnt the tables from the previous process")
            case .resyncConfirmed:
                if handingOver, session.peer == configuration.localName { session.channel?.close(promise: nil) }
            case .resyncEnded(let complete):
                guard let peer = session.peer, learner == peer else { break }
                learner = nil
                if complete {
                    synced = true
                    logger.info("peers '\(section.name)': learnt the tables from '\(peer)'")
                } else {
                    notToAsk.insert(peer)
                    resyncDeadline = now + 5000
                }
            case .close(let reason):
                session.lastError = reason
                if let channel = session.channel {
                    channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in channel.close(promise: nil) }
                }
                logger.warning("peers '\(section.name)': closing the session with '\(session.peer ?? "an unidentified peer")': \(reason)")
            }
        }
    }

    /// An accepted connection named its peer: it replaces any other session with that peer (whose
    /// next attempt is pushed back a random while, so that two peers connecting to each other at
    /// once do not go on killing each other's connection).
    private func identified(_ session: Session, as peer: String) {
        guard var remote = remotes[peer] ?? (configuration.remoteNames.contains(peer) ? Remote(
            name: peer, addressText: "", address: nil, acknowledged: Array(repeating: 0, count: tables.count), nextAttempt: Int64.max) : nil)
        else {
            perform(session.machine.refuse(status: 504), on: session)
            return
        }
        if let old = remote.session, old !== session {
            old.peer = nil
            old.discarded = true
            sessions.removeValue(forKey: ObjectIdentifier(old))
            old.channel?.close(promise: nil)
            if remote.nextAttempt != Int64.max {
                remote.nextAttempt = now + 50 + Int64.random(in: 0...2000)
            }
        }
        session.peer = peer
        remote.session = session
        remotes[peer] = remote
        session.machine.resume(from: remote.acknowledged)
        perform(session.machine.accept(now: now), on: session)
    }

    // MARK: - show peers

    /// What `show peers` prints for the section, as of the last turn of the loop (read from any
    /// thread: the runtime API may run on this very loop, so it must not wait for it).
    let statusText = NIOLockedValueBox("")

    /// Sessions whose peer is known, and those established (`show info`'s `ActivePeers`, `ConnectedPeers`).
    let sessionCounts = NIOLockedValueBox((active: 0, connected: 0))

    private func updateStatus() {
        statusText.withLockedValue { $0 = status() }
        let known = sessions.values.filter { $0.peer != nil && !$0.machine.isClosed }
        sessionCounts.withLockedValue { $0 = (known.count, known.filter(\.established).count) }
    }

    /// The section, then one line per remote peer and one per shared table.
    private func status() -> String {
        do {
            var text = "0x0: [\(section.name)] local=\(configuration.localName) addr=\(listenAddress) synced=\(synced ? "yes" : "no")"
            text += learner.map { " learning-from=\($0)" } ?? ""
            text += "\n"
            for name in remotes.keys.sorted() {
                let remote = remotes[name]!
                let state = remote.session?.established == true ? "ESTA" : remote.session != nil ? "CONN" : "NONE"
                text += "  peer=\(name) addr=\(remote.addressText) state=\(state) last_status=\"\(remote.lastStatus)\""
                if let session = remote.session, session.established {
                    if let since = remote.connectedSince { text += " established_for=\(max(0, now - since))ms" }
                    text += " updates_sent=\(session.machine.updatesSent) updates_received=\(session.machine.updatesReceived)"
                }
                text += " acked=\(remote.acknowledged.map(String.init).joined(separator: ","))\n"
            }
            for (index, table) in tables.enumerated() {
                text += "  table=\(table.name) id=\(index + 1) local_update=\(table.lastLocalUpdate) entries=\(table.count)\n"
            }
            return text
        }
    }
}
