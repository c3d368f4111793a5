import UsherConfig

/// One connection between two peers, sans I/O: the handshake (`HAProxyS 2.1`), then the messages
/// of HAProxy's peers protocol. Bytes and clock ticks go in; bytes to write, entries to apply and
/// events for the section's bookkeeping come out. The driver reads the local tables and hands the
/// changes to push (`push`, `teach`); this machine never touches a table, a socket or a clock.
public struct PeerSessionStateMachine: Sendable {
    /// What both sides of every session of a `peers` section share.
    public struct Configuration: Sendable {
        /// This instance's name (`-L`, else the host name).
        public var localName: String
        /// The other peers of the section, who may connect.
        public var remoteNames: Set<String>
        /// The section's shared tables; a table's local id is its index plus one.
        public var tables: [StickTableDefinition]
        public var handshakeTimeout: Int64 = 5000
        /// A heartbeat goes out after this long without sending anything.
        public var heartbeatInterval: Int64 = 3000
        /// The session is given up after this long without hearing anything.
        public var silenceTimeout: Int64 = 10_000
        public var maximumLineLength = 512

        public init(localName: String, remoteNames: Set<String>, tables: [StickTableDefinition]) {
            self.localName = localName
            self.remoteNames = remoteNames
            self.tables = tables
        }
    }

    public enum Action: Sendable, Equatable {
        case write([UInt8])
        /// Accepting side: the hello named this peer; call `accept` or `refuse`.
        case identified(peer: String)
        /// The handshake succeeded (either side).
        case established
        /// Apply a received entry to local table `table` (an index into the configuration's tables).
        case apply(table: Int, entry: PeerEntry)
        /// The peer has every update of local table `table` up to `update`.
        case acknowledged(table: Int, update: UInt32)
        /// The peer asks for everything: call `teach`.
        case resyncRequested
        /// The peer this side asked to resync finished teaching; `complete` if it was up to date.
        case resyncEnded(complete: Bool)
        /// The peer confirmed the end of a lesson this side taught.
        case resyncConfirmed
        /// Close the connection (after writing what came before).
        case close(reason: String)
    }

    enum State: Sendable {
        /// Connecting side, hello sent.
        case awaitingStatus
        /// Accepting side: the hello's lines read so far.
        case awaitingHello(lines: [String])
        /// Accepting side: the hello was read, the driver decides.
        case identified
        case established
        case closed
    }

    /// The sender's table the current updates belong to, and how to read them.
    struct RemoteTable: Sendable {
        var local: Int
        var definition: PeerTableDefinition
    }

    public let configuration: Configuration
    public private(set) var remoteName: String?
    /// The protocol's minor version spoken with the peer: 2.0 peers get no timed updates.
    public private(set) var remoteMinorVersion = 1
    /// Connecting side: the status the peer refused the hello with (502: try 2.0 next time).
    public private(set) var refusedStatus: Int?
    private var state: State
    private var lineBuffer: [UInt8] = []
    private var reader = PeerMessageReader()
    private var remoteTables: [UInt64: RemoteTable] = [:]
    private var currentRemote: RemoteTable?
    /// Per local table: the last update id received from the peer and the last one acknowledged.
    private var lastReceived: [UInt32]
    private var lastAcknowledged: [UInt32]
    /// Per local table: the last local update id pushed to the peer.
    public private(set) var lastPushed: [UInt32]
    /// The local table the peer last had a definition for.
    private var lastDefined: Int?
    private let startedAt: Int64
    private var lastHeard: Int64
    private var lastSpoke: Int64
    public private(set) var messagesReceived = 0
    public private(set) var updatesReceived = 0
    public private(set) var updatesSent = 0

    /// A connecting session (call `connected` once the TCP connection is up), or an accepted one.
    /// `resumeFrom`: per table, the last update the peer acknowledged in an earlier session.
    /// `minorVersion`: 1 (`HAProxyS 2.1`), or 0 for a peer that refused it.
    public init(configuration: Configuration, connectingTo remote: String?, minorVersion: Int = 1, resumeFrom: [UInt32]? = nil, now: Int64) {
        self.configuration = configuration
        self.remoteName = remote
        self.remoteMinorVersion = min(1, max(0, minorVersion))
        state = remote == nil ? .awaitingHello(lines: []) : .awaitingStatus
        let count = configuration.tables.count
        lastReceived = Array(repeating: 0, count: count)
        lastAcknowledged = Array(repeating: 0, count: count)
        lastPushed = resumeFrom.map { $0.count == count ? $0 : Array(repeating: 0, count: count) } ?? Array(repeating: 0, count: count)
        startedAt = now
        lastHeard = now
        lastSpoke = now
    }

    public var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Accepting side, once the peer is known: pushing resumes after what it acknowledged before.
    public mutating func resume(from acknowledged: [UInt32]) {
        guard acknowledged.count == lastPushed.count else { return }
        lastPushed = acknowledged
    }

    // MARK: - Handshake

    /// Connecting side: the TCP connection is up; sends the hello.
    public mutating func connected(now: Int64, processID: Int32) -> [Action] {
        guard case .awaitingStatus = state, let remoteName else { return [] }
        lastSpoke = now
        let hello = "HAProxyS 2.\(remoteMinorVersion)\n\(remoteName)\n\(configuration.localName) \(processID) 1\n"
        return [.write(Array(hello.utf8))]
    }

    /// Accepting side: takes the peer `identified` named.
    public mutating func accept(now: Int64) -> [Action] {
        guard case .identified = state else { return [] }
        state = .established
        lastSpoke = now
        lastHeard = now
        var actions: [Action] = [.write(Array("200\n".utf8)), .established]
        // Messages that came right behind the hello.
        actions += processMessages(now: now)
        return actions
    }

    /// Accepting side: refuses the peer `identified` named (300: try again later).
    public mutating func refuse(status: Int = 300) -> [Action] {
        state = .closed
        return [.write(Array("\(status)\n".utf8)), .close(reason: "refused with status \(status)")]
    }

    /// Bytes from the peer.
    public mutating func receive(_ bytes: some Collection<UInt8>, now: Int64) -> [Action] {
        switch state {
        case .closed:
            return []
        case .awaitingStatus, .awaitingHello:
            return receiveHandshake(Array(bytes), now: now)
        case .identified:
            // Held until the driver decides; bounded like any message.
            reader.append(bytes)
            if reader.pendingCount > reader.maximumMessageLength * 2 {
                return fail(PeerProtocolError("more than \(reader.maximumMessageLength * 2) bytes before the handshake ended", isSizeLimit: true))
            }
            return []
        case .established:
            lastHeard = now
            reader.append(bytes)
            return processMessages(now: now)
        }
    }

    private mutating func receiveHandshake(_ bytes: [UInt8], now: Int64) -> [Action] {
        var actions: [Action] = []
        var rest = bytes[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            lineBuffer += rest[..<newline]
            rest = rest[(newline + 1)...]
            if lineBuffer.count > configuration.maximumLineLength + 1 { return actions + lineTooLong() }
            if lineBuffer.last == UInt8(ascii: "\r") { lineBuffer.removeLast() }
            let line = String(decoding: lineBuffer, as: UTF8.self)
            lineBuffer = []
            actions += handshakeLine(line, now: now)
            if case .awaitingHello = state { continue }
            if case .awaitingStatus = state { continue }
            // Handshake over (or failed): what follows is messages.
            if !rest.isEmpty, !isClosed {
                if case .established = state {
                    actions += receive(rest, now: now)
                } else {
                    reader.append(rest)
                }
            }
            return actions
        }
        lineBuffer += rest
        if lineBuffer.count > configuration.maximumLineLength { return actions + lineTooLong() }
        return actions
    }

    private mutating func lineTooLong() -> [Action] {
        let reason = "handshake line longer than \(configuration.maximumLineLength) bytes"
        lineBuffer = []
        if case .awaitingStatus = state {
            state = .closed
            return [.close(reason: reason)]
        }
        state = .closed
        return [.write(Array("501\n".utf8)), .close(reason: reason)]
    }

    private mutating func handshakeLine(_ line: String, now: Int64) -> [Action] {
        switch state {
        case .awaitingStatus:
            let status = Int(line.prefix { $0.isNumber }) ?? 0
            guard status == 200 else {
                state = .closed
                refusedStatus = status
                return [.close(reason: "the peer answered the hello with status \(status == 0 ? "'\(line)'" : String(status))\(Self.statusMeaning(status))")]
            }
            state = .established
            lastHeard = now
            return [.established]
        case .awaitingHello(var lines):
            lines.append(line)
            switch lines.count {
            case 1:
                guard line.hasPrefix("HAProxyS ") else { return refuseHandshake(501, "the hello is not of the peers protocol: '\(line.prefix(40))'") }
                let version = line.dropFirst("HAProxyS ".count).split(separator: ".", omittingEmptySubsequences: false)
                guard version.count == 2, let major = Int(version[0]), let minor = Int(version[1]), major == 2, minor <= 1 else {
                    return refuseHandshake(502, "unsupported protocol version '\(line.dropFirst("HAProxyS ".count))'")
                }
                remoteMinorVersion = minor
            case 2:
                guard line == configuration.localName else {
                    return refuseHandshake(503, "the peer asked for peer '\(line)', and this one is '\(configuration.localName)'")
                }
            default:
                guard let space = line.firstIndex(of: " ") else { return refuseHandshake(501, "malformed hello line '\(line.prefix(40))'") }
                let name = String(line[..<space])
                guard configuration.remoteNames.contains(name) else { return refuseHandshake(504, "unknown peer '\(name)'") }
                remoteName = name
                state = .identified
                return [.identified(peer: name)]
            }
            state = .awaitingHello(lines: lines)
            return []
        default:
            return []
        }
    }

    private mutating func refuseHandshake(_ status: Int, _ reason: String) -> [Action] {
        state = .closed
        return [.write(Array("\(status)\n".utf8)), .close(reason: "\(reason) (answered \(status))")]
    }

    static func statusMeaning(_ status: Int) -> String {
        switch status {
        case 300: " (try again later)"
        case 501: " (protocol error)"
        case 502: " (bad version)"
        case 503: " (the peer's name does not match)"
        case 504: " (this peer is unknown to it)"
        default: ""
        }
    }

    // MARK: - Messages

    private mutating func processMessages(now: Int64) -> [Action] {
        var actions: [Action] = []
        while case .established = state {
            let message: PeerMessage?
            do {
                message = try reader.next()
            } catch {
                return actions + fail(error)
            }
            guard let message else { break }
            messagesReceived += 1
            do {
                try handle(message, into: &actions)
            } catch {
                return actions + fail(error)
            }
        }
        if case .established = state {
            let acks = acknowledgements()
            if !acks.isEmpty {
                lastSpoke = now
                actions.append(.write(acks))
            }
        }
        return actions
    }

    private mutating func handle(_ message: PeerMessage, into actions: inout [Action]) throws(PeerProtocolError) {
        switch message {
        case .control(.resyncRequest):
            actions.append(.resyncRequested)
        case .control(.resyncFinished), .control(.resyncPartial):
            actions.append(.resyncEnded(complete: message == .control(.resyncFinished)))
            var bytes: [UInt8] = []
            PeerMessage.control(.resyncConfirm).encode(into: &bytes)
            actions.append(.write(bytes))
        case .control(.resyncConfirm):
            actions.append(.resyncConfirmed)
        case .control(.heartbeat):
            break
        case .error(let failure):
            state = .closed
            actions.append(.close(reason: failure == .sizeLimit ? "the peer reported a message too large" : "the peer reported a protocol error"))
        case .define(let definition):
            for (id, _) in remoteTables where id == definition.id { remoteTables[id] = nil }
            currentRemote = nil
            guard let local = configuration.tables.firstIndex(where: { PeerTableDefinition.sharedName(of: $0) == definition.name }),
                  definition.matches(configuration.tables[local]), definition.isReadable
            else { return }
            let remote = RemoteTable(local: local, definition: definition)
            remoteTables[definition.id] = remote
            currentRemote = remote
        case .switchTable(let id):
            currentRemote = remoteTables[id]
        case .update(let identified, let timed, let payload):
            guard let remote = currentRemote else { return }
            let table = configuration.tables[remote.local]
            let (updateID, entry) = try PeerEntry.decode(
                payload[...], identified: identified, timed: timed, keyType: table.keyType, dataTypes: remote.definition.dataTypes)
            lastReceived[remote.local] = updateID ?? lastReceived[remote.local] &+ 1
            updatesReceived += 1
            actions.append(.apply(table: remote.local, entry: entry))
        case .ack(let table, let update):
            let local = Int(clamping: table) - 1
            guard configuration.tables.indices.contains(local) else { return }
            actions.append(.acknowledged(table: local, update: update))
        case .other:
            break
        }
    }

    private mutating func acknowledgements() -> [UInt8] {
        var bytes: [UInt8] = []
        for local in lastReceived.indices where lastReceived[local] != lastAcknowledged[local] {
            // Acknowledged under the id the peer gave the table.
            guard let remoteID = remoteTables.first(where: { $0.value.local == local })?.key else { continue }
            PeerMessage.ack(table: remoteID, update: lastReceived[local]).encode(into: &bytes)
            lastAcknowledged[local] = lastReceived[local]
        }
        return bytes
    }

    private mutating func fail(_ error: PeerProtocolError) -> [Action] {
        state = .closed
        var bytes: [UInt8] = []
        PeerMessage.error(error.isSizeLimit ? .sizeLimit : .protocolError).encode(into: &bytes)
        return [.write(bytes), .close(reason: error.description)]
    }

    // MARK: - Sending

    /// Asks the peer for everything it knows.
    public mutating func requestResync(now: Int64) -> [UInt8] {
        guard isEstablished else { return [] }
        lastSpoke = now
        var bytes: [UInt8] = []
        PeerMessage.control(.resyncRequest).encode(into: &bytes)
        return bytes
    }

    /// Local changes of table `table` since `lastPushed[table]`, in update-id order: the messages
    /// that carry them (a definition first when the peer's last one was for another table).
    public mutating func push(table: Int, updates: [(id: UInt32, entry: PeerEntry)], now: Int64) -> [UInt8] {
        guard isEstablished, configuration.tables.indices.contains(table), !updates.isEmpty else { return [] }
        var bytes = defineIfNeeded(table)
        let definition = PeerTableDefinition(id: UInt64(table + 1), table: configuration.tables[table])
        var first = true
        for (id, entry) in updates {
            let identified = first || id != lastPushed[table] &+ 1
            var plain = entry
            plain.expire = nil
            let payload = plain.encode(updateID: identified ? id : nil, keyType: configuration.tables[table].keyType, dataTypes: definition.dataTypes)
            PeerMessage.update(identified: identified, timed: false, payload: payload).encode(into: &bytes)
            lastPushed[table] = id
            first = false
            updatesSent += 1
        }
        lastSpoke = now
        return bytes
    }

    /// Everything of every table (`entries[table]`), as asked by `resyncRequested`, then the
    /// end of the lesson: finished if this side is up to date (`complete`), else partial.
    public mutating func teach(entries: [[PeerEntry]], complete: Bool, now: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        for (table, list) in entries.enumerated() {
            bytes += teach(table: table, entries: list, now: now)
        }
        return bytes + endLesson(complete: complete, now: now)
    }

    /// Part of a lesson: entries of table `table`, with their remaining lifetimes (a 2.0 peer gets
    /// them without). A lesson may be sent in as many parts as needed, then `endLesson`.
    public mutating func teach(table: Int, entries: [PeerEntry], now: Int64) -> [UInt8] {
        guard isEstablished, configuration.tables.indices.contains(table), !entries.isEmpty else { return [] }
        var bytes = defineIfNeeded(table)
        let definition = PeerTableDefinition(id: UInt64(table + 1), table: configuration.tables[table])
        let timed = remoteMinorVersion >= 1
        for entry in entries {
            var sent = entry
            if !timed { sent.expire = nil }
            // Lesson entries carry the push cursor as their id: what the peer then acknowledges
            // is true of the incremental updates too.
            let payload = sent.encode(updateID: lastPushed[table], keyType: configuration.tables[table].keyType, dataTypes: definition.dataTypes)
            PeerMessage.update(identified: true, timed: sent.expire != nil, payload: payload).encode(into: &bytes)
            updatesSent += 1
        }
        lastSpoke = now
        return bytes
    }

    /// The end of a lesson: finished if this side is up to date (`complete`), else partial.
    public mutating func endLesson(complete: Bool, now: Int64) -> [UInt8] {
        guard isEstablished else { return [] }
        var bytes: [UInt8] = []
        PeerMessage.control(complete ? .resyncFinished : .resyncPartial).encode(into: &bytes)
        lastSpoke = now
        return bytes
    }

    private mutating func defineIfNeeded(_ table: Int) -> [UInt8] {
        guard lastDefined != table else { return [] }
        lastDefined = table
        var bytes: [UInt8] = []
        PeerMessage.define(PeerTableDefinition(id: UInt64(table + 1), table: configuration.tables[table])).encode(into: &bytes)
        return bytes
    }

    /// Timers: the handshake's deadline, heartbeats, and a peer that went silent.
    public mutating func tick(now: Int64) -> [Action] {
        switch state {
        case .awaitingStatus, .awaitingHello, .identified:
            if now - startedAt >= configuration.handshakeTimeout {
                state = .closed
                return [.close(reason: "no handshake within \(configuration.handshakeTimeout) ms")]
            }
            return []
        case .established:
            if now - lastHeard >= configuration.silenceTimeout {
                state = .closed
                return [.close(reason: "nothing heard from the peer for \(configuration.silenceTimeout) ms")]
            }
            if now - lastSpoke >= configuration.heartbeatInterval {
                lastSpoke = now
                var bytes: [UInt8] = []
                PeerMessage.control(.heartbeat).encode(into: &bytes)
                return [.write(bytes)]
            }
            return []
        case .closed:
            return []
        }
    }

    /// The session is over (the connection closed).
    public mutating func closed() {
        state = .closed
    }
}
