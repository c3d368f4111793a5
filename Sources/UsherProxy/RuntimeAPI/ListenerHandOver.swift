#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import NIOCore

/// HAProxy's `_getsocks` exchange, for a process started with `-x SOCKET` (a new usher or HAProxy
/// taking over without a moment of refused connections): on a `stats socket … expose-fd listeners`
/// connection, the number of listening sockets as a native 32-bit integer, then the sockets
/// themselves as `SCM_RIGHTS`, at most 253 to a message, each message's data describing its
/// sockets (network namespace name, interface name, four zero bytes; usher binds neither to a
/// namespace nor to an interface, so both names are empty). After each full message the receiver
/// answers four bytes before the next; the connection then closes.
///
/// SwiftNIO does not lend out a channel's descriptor, so the connection's is found by its socket
/// cookie (unique for the kernel's lifetime) among the process's descriptors; the listening
/// sockets are every socket of the process that accepts connections, as HAProxy sends every one.
enum ListenerHandOver {
    /// The most descriptors one message carries (HAProxy's limit too).
    static let descriptorsPerMessage = 253
    private static let socketCookie: Int32 = 57  // SO_COOKIE

    /// Sends the listening sockets over `channel` and closes it. Runs on the channel's event loop.
    /// `beforeSending` runs first, off the event loops (usher stops accepting there: see
    /// `ProxyRuntime.pauseListenersForHandOver`).
    static func send(over channel: Channel, beforeSending: @escaping @Sendable () -> Void = {}) {
        // The receiver's acknowledgements must not be read by the channel.
        channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in
            guard let provider = channel as? SocketOptionProvider else {
                channel.close(promise: nil)
                return
            }
            let cookie: EventLoopFuture<UInt64> = provider.unsafeGetSocketOption(
                level: NIOBSDSocket.OptionLevel.socket, name: NIOBSDSocket.Option(rawValue: socketCookie)
            )
            cookie.whenComplete { result in
                // The scan of the process's descriptors and the waits for the receiver run on a
                // thread of their own: the event loop serves other connections meanwhile.
                DispatchQueue.global().async {
                    if case .success(let cookie) = result, let descriptor = descriptor(withCookie: cookie) {
                        beforeSending()
                        transfer(listeningSockets(), over: descriptor)
                    }
                    channel.close(promise: nil)
                }
            }
        }
    }

    /// The process's socket descriptors, in increasing order.
    static func socketDescriptors() -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let descriptor = Int32(name), descriptor != own else { continue }
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK else { continue }
            descriptors.append(descriptor)
        }
        return descriptors.sorted()
    }

    /// Every socket of the process that is listening.
    static func listeningSockets() -> [Int32] {
        socketDescriptors().filter { option(SO_ACCEPTCONN, of: $0, as: Int32.self) == 1 }
    }

    static func descriptor(withCookie cookie: UInt64) -> Int32? {
        socketDescriptors().first { option(socketCookie, of: $0, as: UInt64.self) == cookie }
    }

    private static func option<Value: FixedWidthInteger>(_ name: Int32, of descriptor: Int32, as: Value.Type) -> Value? {
        var value: Value = 0
        var length = socklen_t(MemoryLayout<Value>.size)
        guard getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 else { return nil }
        return value
    }

    /// The exchange itself, on the connection's descriptor (non-blocking: each step waits up to a
    /// second for the socket, as HAProxy's receive timeout).
    static func transfer(_ sockets: [Int32], over descriptor: Int32) {
        guard !sockets.isEmpty else { return }
        var count = Int32(sockets.count)
        guard sendAll(descriptor, bytes: withUnsafeBytes(of: &count) { Array($0) }, descriptors: []) else { return }
        var start = 0
        while start < sockets.count {
            let batch = Array(sockets[start..<min(start + descriptorsPerMessage, sockets.count)])
            // Per socket: namespace name length and name, interface name length and name, four zeros.
            let description = [UInt8](repeating: 0, count: batch.count * 6)
            guard sendAll(descriptor, bytes: description, descriptors: batch) else { return }
            start += batch.count
            if batch.count == descriptorsPerMessage, start < sockets.count {
                var acknowledgement = [UInt8](repeating: 0, count: 4)
                guard wait(descriptor, for: Int16(POLLIN)), recv(descriptor, &acknowledgement, 4, 0) > 0 else { return }
            }
        }
    }

    /// One `sendmsg` with `bytes` and, if any, `descriptors` as `SCM_RIGHTS`.
    private static func sendAll(_ descriptor: Int32, bytes: [UInt8], descriptors: [Int32]) -> Bool {
        // cmsghdr: a size_t length, then level and type (32 bits each), then the data.
        let header = MemoryLayout<Int>.size + 8
        let dataLength = descriptors.count * MemoryLayout<Int32>.size
        let space = descriptors.isEmpty ? 0 : header + (dataLength + MemoryLayout<Int>.size - 1) / MemoryLayout<Int>.size * MemoryLayout<Int>.size
        var control = [UInt8](repeating: 0, count: space)
        if !descriptors.isEmpty {
            control.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: header + dataLength, toByteOffset: 0, as: Int.self)
                raw.storeBytes(of: SOL_SOCKET, toByteOffset: MemoryLayout<Int>.size, as: Int32.self)
                raw.storeBytes(of: Int32(SCM_RIGHTS), toByteOffset: MemoryLayout<Int>.size + 4, as: Int32.self)
                for (index, socket) in descriptors.enumerated() {
                    raw.storeBytes(of: socket, toByteOffset: header + index * 4, as: Int32.self)
                }
            }
        }
        var payload = bytes
        while true {
            let sent = payload.withUnsafeMutableBytes { data -> Int in
                control.withUnsafeMutableBytes { controlBytes -> Int in
                    var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                    return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                        var message = msghdr()
                        message.msg_iov = vectorPointer
                        message.msg_iovlen = 1
                        if !descriptors.isEmpty {
                            message.msg_control = controlBytes.baseAddress
                            message.msg_controllen = controlBytes.count
                        }
                        return sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            if sent == payload.count { return true }
            guard sent < 0, errno == EAGAIN || errno == EINTR, wait(descriptor, for: Int16(POLLOUT)) else { return false }
        }
    }

    private static func wait(_ descriptor: Int32, for events: Int16) -> Bool {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        return poll(&entry, 1, 1000) == 1 && entry.revents & events != 0
    }
}
