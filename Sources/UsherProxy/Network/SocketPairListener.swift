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
            var byte: UInt8 = 0
            let controlLength = MemoryLayout<cmsghdr>.size + 4 * MemoryLayout<Int32>.size + 16
            var control = [UInt8](repeating: 0, count: controlLength)
            let received: Int = withUnsafeMutablePointer(to: &byte) { bytePointer in
                var vector = iovec(iov_base: UnsafeMutableRawPointer(bytePointer), iov_len: 1)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    control.withUnsafeMutableBytes { controlBytes in
                        var message = msghdr()
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        message.msg_control = controlBytes.baseAddress
                        message.msg_controllen = controlBytes.count
                        return recvmsg(descriptor, &message, Int32(MSG_CMSG_CLOEXEC))
                    }
                }
            }
            if received < 0, errno == EINTR { continue }
            guard received > 0 else { return nil }
            // The first descriptor of the first SCM_RIGHTS message; any others are closed.
            var found: Int32?
            control.withUnsafeBytes { bytes in
                var offset = 0
                while offset + MemoryLayout<cmsghdr>.size <= bytes.count {
                    let header = bytes.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                    guard header.cmsg_len >= MemoryLayout<cmsghdr>.size else { break }
                    if header.cmsg_level == SOL_SOCKET, header.cmsg_type == Int32(SCM_RIGHTS) {
                        let count = (Int(header.cmsg_len) - MemoryLayout<cmsghdr>.size) / MemoryLayout<Int32>.size
                        for index in 0..<count {
                            let passed = bytes.loadUnaligned(fromByteOffset: offset + MemoryLayout<cmsghdr>.size + index * 4, as: Int32.self)
                            if found == nil { found = passed } else { close(passed) }
                        }
                    }
                    offset += (Int(header.cmsg_len) + 7) & ~7
                }
            }
            if let found { return found }
            // A message without a descriptor carries nothing to serve: read the next one.
        }
    }
}
