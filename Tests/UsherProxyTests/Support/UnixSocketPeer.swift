import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Where a test's UNIX socket lives: a path, or an abstract name (full-length `sun_path`, as
/// HAProxy's and usher's `abns@`).
enum TestUnixAddress {
    case path(String)
    case abstract(String)

    var sockaddr: sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        switch self {
        case .path(let path): bytes = Array(path.utf8)
        case .abstract(let name): bytes = [0] + Array(name.utf8)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }

    var socketAddress: SocketAddress { SocketAddress(sockaddr) }
}

/// An in-process server on a UNIX socket standing in for a backend: records what each connection
/// brings, answers `NAME\n` to the first bytes, and closes when the client has finished sending.
final class UnixSocketPeer: Sendable {
    let name: String
    let channel: Channel
    private let received = NIOLockedValueBox<[[UInt8]]>([])

    init(name: String, at address: TestUnixAddress, group: EventLoopGroup = testGroup) throws {
        self.name = name
        let box = received
        channel = try ServerBootstrap(group: group)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let slot = box.withLockedValue { list -> Int in
                        list.append([])
                        return list.count - 1
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        UnixPeerHandler(name: name, record: { bytes in box.withLockedValue { $0[slot] += bytes } })
                    )
                }
            }
            .bind(to: address.socketAddress).wait()
    }

    /// Bytes received on each connection so far, in accept order (checks' empty ones included).
    var receivedPerConnection: [[UInt8]] { received.withLockedValue { $0 } }

    /// Waits until a connection has brought at least `count` bytes, and returns them.
    func waitForBytes(_ count: Int, timeout: Double = 5) -> [UInt8]? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let bytes = receivedPerConnection.first(where: { $0.count >= count }) { return bytes }
            usleep(10_000)
        }
        return nil
    }

    func stop() {
        try? channel.close().wait()
    }
}

private final class UnixPeerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let name: String
    let record: ([UInt8]) -> Void
    var announced = false

    init(name: String, record: @escaping ([UInt8]) -> Void) {
        self.name = name
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        record(Array(buffer.readableBytesView))
        guard !announced else { return }
        announced = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\(name)\n")), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
    }
}

/// A blocking client of a UNIX socket, as RawClient is for TCP.
final class UnixRawClient: @unchecked Sendable {
    let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `shortLength`: pass only the used part of `sun_path` (for an abstract name, a different socket).
    init(_ address: TestUnixAddress, timeout: Double = 10, shortLength: Bool = false) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sockaddr = address.sockaddr
        var length = MemoryLayout<sockaddr_un>.size
        if shortLength, case .abstract(let name) = address { length = 2 + 1 + name.utf8.count }
        let result = withUnsafePointer(to: &sockaddr) {
            $0.withMemoryRebound(to: Glibc.sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(length)) }
        }
        guard result == 0 else { throw Failure(description: "connect to \(address): errno \(errno)") }
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
    }

    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads until the peer closes.
    func receiveAll() throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "recv: errno \(errno)") }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A fresh directory for socket files, removed at the end; short, because `sun_path` is.
final class SocketDirectory {
    let path: String

    init() throws {
        path = "/tmp/usher-ux-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

/// The `stat` of a path: file type bits, permission bits, owner, group.
func fileStatus(_ path: String) -> stat? {
    var info = stat()
    return stat(path, &info) == 0 ? info : nil
}
