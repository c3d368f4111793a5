import Dispatch
import Logging
import NIOCore
import UsherConfig
import UsherRouting

/// Reload in place: the running process takes a new configuration without a new process.
///
/// Sockets whose address the new file still listens on stay open and serve new connections with
/// the new configuration (no gap, no `SO_REUSEPORT` race); new addresses are bound first and the
/// reload is refused, with the old configuration intact, if one cannot be. Connections already
/// established keep the configuration they started with: a tunnel whose frontend and server are
/// still there (same name, same address) never notices; one on a route the new file removed or
/// changed is closed when `hard-stop-after` expires (kept until it ends without it, as HAProxy's
/// old process keeps it). Health, counters, operator changes and stick tables carry over by name
/// (see `ProxyRuntime.init(previous:)`).
extension UsherServer {
    /// What a reload in place did.
    public struct ReloadSummary: Sendable, CustomStringConvertible {
        public var kept = 0
        public var opened = 0
        public var closed = 0
        /// Established connections of the replaced configuration whose route is gone or changed.
        public var onChangedRoutes = 0

        public var description: String {
            "\(kept) listener(s) kept, \(opened) opened, \(closed) closed; \(onChangedRoutes) connection(s) on changed routes"
        }
    }

    /// Replaces the configuration with `table`. Throws, with the old configuration untouched and
    /// serving, when the new one cannot start (a port taken, a certificate unreadable).
    public func reload(to table: RoutingTable) throws -> ReloadSummary {
        try reloadLock.withLock {
            let old = runtime
            guard !old.isStopping.load(ordering: .relaxed), !old.listenersStopped.load(ordering: .relaxed) else {
                throw StartError(description: "the process is stopping: nothing to reload")
            }
            let new: ProxyRuntime
            do {
                new = try ProxyRuntime(table: table, log: logDispatcher, logger: old.logger, previous: old)
            } catch {
                throw Self.startError(error)
            }
            for (target, problem) in logDispatcher.prepare(new.allLogTargets) {
                new.logger.warning("log target at \(target.location) unusable: \(problem)")
            }
            for change in Self.changesNeedingRestart(from: old.table.configuration.global, to: table.configuration.global) {
                new.logger.warning("reload: '\(change)' changed; it takes effect when usher is restarted")
            }

            // 1. Every socket of the new configuration: kept, or bound now. Nothing is changed
            //    until all are bound; a failure closes what this reload opened.
            let planned = try plannedSockets(of: new)
            var existing = Dictionary(listeners.withLockedValue { $0 }.map { ($0.slot.key, $0) }, uniquingKeysWith: { first, _ in first })
            var keep: [(BoundListener, ListenerSlot.Target)] = []
            var opened: [BoundListener] = []
            do {
                for socket in planned {
                    if let bound = existing.removeValue(forKey: socket.key) {
                        keep.append((bound, socket.target))
                    } else {
                        opened.append(try bindListener(ListenerSlot(key: socket.key, target: socket.target), host: socket.host, address: socket.address, port: socket.port))
                    }
                }
            } catch {
                for bound in opened { closeListener(bound) }
                throw error
            }
            let removed = Array(existing.values)

            // 2. The runtime API: its sockets are bound anew with the new settings.
            let oldAPI = runtimeAPI
            oldAPI.stop()
            let api = Self.makeRuntimeAPI(runtime: new, group: group, handOverSocket: handOverSocket)
            do {
                try api.start()
            } catch {
                // The old settings then: the runtime API must not vanish with a refused reload.
                for bound in opened { closeListener(bound) }
                try? oldAPI.start()
                throw StartError(description: "\(error)")
            }

            // 3. Commit: new connections get the new configuration from here on.
            for backend in old.backends {
                if let successor = new.backends.first(where: { $0.name == backend.name }) {
                    backend.successor.withLockedValue { $0 = successor }
                }
            }
            current.withLockedValue { $0 = new }
            runtimeAPIBox.withLockedValue { $0 = api }
            for (bound, target) in keep {
                bound.slot.retarget(target)
                if let channel = bound.channel { Self.noteAddress(of: channel, in: target.listener) }
            }
            listeners.withLockedValue { $0 = keep.map(\.0) + opened }
            for bound in removed { closeListener(bound) }

            // 4. Control plane: checks (going on from each server's health), resolvers, peers.
            let oldCheckers = checkers.withLockedValue { $0 }
            for checker in oldCheckers { checker.stop() }
            let started = (try? startHealthChecks(new, continuing: oldCheckers)) ?? []
            checkers.withLockedValue { $0 = started }
            for service in resolverServices.withLockedValue({ $0 }) { service.stop() }
            do {
                try startResolvers(new)
            } catch {
                new.logger.error("reload: \(error)")
            }
            if old.table.configuration.peers != table.configuration.peers || old.table.configuration.localPeerName != table.configuration.localPeerName {
                for service in peersServices.withLockedValue({ $0 }) { service.stop() }
                do {
                    try startPeers(new, waitingForPreviousProcess: false)
                } catch {
                    new.logger.error("reload: peers: \(error)")
                }
            }

            // 5. Connections of the old configuration on routes that changed: closed at
            //    `hard-stop-after`, as the old process of a HAProxy reload closes them.
            var summary = ReloadSummary(kept: keep.count, opened: opened.count, closed: removed.count)
            let stale = old.sessions.all.filter { $0.generation < new.generation && !Self.routeSurvives($0, from: old, to: new) }
            summary.onChangedRoutes = stale.count
            if let limit = table.configuration.global.hardStopAfter, !stale.isEmpty {
                let ids = stale.map(\.id)
                let sessions = new.sessions
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(limit.milliseconds))) {
                    for id in ids { sessions.session(id: id)?.shutDown() }
                }
            }
            new.logger.notice("reloaded in place (configuration \(new.generation)): \(summary)")
            return summary
        }
    }

    /// Closes a listener that no configuration uses any more, and its socket file.
    private func closeListener(_ bound: BoundListener) {
        bound.close()
        if let file = bound.socketFile {
            file.remove()
            unixSocketFiles.withLockedValue { files in files.removeAll { $0.path == file.path } }
        }
    }

    /// Whether an established session of `old` still has its route in `new`: its frontend is
    /// there, and the server it was given (if any) is there under the same backend and name, at
    /// the same configured address.
    static func routeSurvives(_ session: LiveSession, from old: ProxyRuntime, to new: ProxyRuntime) -> Bool {
        guard let frontendName = session.frontendName else { return true }
        guard new.frontends.contains(where: { $0.name == frontendName }) else { return false }
        guard let server = session.server(in: old) else { return true }
        guard let backend = new.backends.first(where: { $0.name == server.backendName }),
            let replacement = backend.servers.first(where: { $0.name == server.name })
        else { return false }
        return replacement.server.address == server.server.address && replacement.server.usesTLS == server.server.usesTLS
    }

    /// `global` settings a running process cannot change: they need a restart (or a reload by a
    /// new process, `-W` with `USHER_RELOAD=process`).
    static func changesNeedingRestart(from old: GlobalSettings, to new: GlobalSettings) -> [String] {
        var changed: [String] = []
        if old.nbthread != new.nbthread { changed.append("nbthread") }
        if old.cpuMap != new.cpuMap { changed.append("cpu-map") }
        if old.user != new.user || old.uid != new.uid { changed.append("user") }
        if old.group != new.group || old.gid != new.gid { changed.append("group") }
        if old.chroot != new.chroot { changed.append("chroot") }
        if old.daemon != new.daemon { changed.append("daemon") }
        if old.pidfile != new.pidfile { changed.append("pidfile") }
        if old.fileDescriptorLimit != new.fileDescriptorLimit { changed.append("ulimit-n") }
        if old.logTag != new.logTag || old.logSendHostname != new.logSendHostname { changed.append("log-tag/log-send-hostname") }
        return changed
    }
}
