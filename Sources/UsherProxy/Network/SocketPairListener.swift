#if canImport(Glibc)
import Glibc
#endif
import Atomics
import Dispatch
import NIOCore
import NIOPosix

/// `bind sockpair@N`: connections another process accepted arrive over an inherited UNIX socket
/// pair, one descriptor per message (SCM_RIGHTS with a byte of data, as HAProxy passes them). Each
/// is served as if this process had accepted it, with the slot's frontend: counted, limited by
/// `maxconn` (the pair is not read while the process or the frontend is full), given its session.
///
/// A queue of its own blocks on the pair (SwiftNIO has no channel that receives descriptors);
/// what it receives goes to an event loop at once. The pair closing ends it.
final class SocketPairListener: Sendable {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    let descriptor: Int32
    private let slot: ListenerSlot
    private let group: EventLoopGroup
    private let accepting = ManagedAtomic(true)
    private let stopped = ManagedAtomic(false)

    init(descriptor: Int32, slot: ListenerSlot, group: EventLoopGroup) {
        self.descriptor = descriptor
        self.slot = slot
        self.group = group
    }

    /// Checks that the descriptor is a UNIX stream or datagram socket, then starts receiving.
    func start() throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFSOCK, InheritedListener.isUnixDomain(descriptor) else {
            throw SetupError(description: "sockpair@\(descriptor) is not a UNIX socket the process was started with")
        }
        DispatchQueue(label: "usher.sockpair.\(descriptor)").async { [self] in receiveLoop() }
    }

    func setAccepting(_ value: Bool) {
        accepting.store(value, ordering: .relaxed)
    }

    /// Stops receiving: the pair is shut down (which wakes the blocked receive) and closed.
    func stop() {
        guard stopped.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func receiveLoop() {
        defer { close(descriptor) }
        while !stopped.load(ordering: .relaxed) {
            let target = slot.target
            if !accepting.load(ordering: .relaxed) || target.runtime.isFull(target.frontend) || target.frontend.isPaused.load(ordering: .relaxed) {
                usleep(10_000)
                continue
            }
            guard let connection = receiveDescriptor() else { return }
            target.runtime.accepted(on: target.frontend)
            target.listener?.sessionStarted()
            let loop = group.next()
            let bootstrap = ClientBootstrap(group: loop).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try UsherServer.initializeConnection(channel, target: target) }
            }
            bootstrap.withConnectedSocket(connection).whenFailure { _ in
                // Never became a session: give back what was counted, and the descriptor.
                target.runtime.released(from: target.frontend)
                close(connection)
            }
        }
    }

    /// One descriptor from the pair; nil once it is closed (or on an error other than an interrupt).
    private func receiveDescriptor() -> Int32? {
        while true {
            let (received, descriptors) = DescriptorMessage.receive(from: descriptor, dataCapacity: 1, maxDescriptors: 4)
            if received < 0, errno == EINTR { continue }
            guard received > 0 else { return nil }
            // One connection per message: any other descriptor is not ours to keep.
            for extra in descriptors.dropFirst() { close(extra) }
            if let first = descriptors.first { return first }
            // A message without a descriptor carries nothing to serve: read the next one.
        }
    }
}
