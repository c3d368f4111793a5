import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import UsherConfig
import UsherRouting

/// Sends log lines to `log` targets: syslog over UDP, stdout or stderr. Thread-safe; UDP datagrams go
/// out through one unconnected datagram socket per address family.
public final class LogDispatcher: Sendable {
    let formatter: SyslogFormatter
    private let group: EventLoopGroup
    private let channels = NIOLockedValueBox<[NIOBSDSocket.ProtocolFamily: Channel]>([:])
    private let addresses = NIOLockedValueBox<[String: SocketAddress]>([:])
    private let outputLock = NIOLock()

    public init(group: EventLoopGroup, tag: String) {
        self.group = group
        self.formatter = SyslogFormatter(tag: tag, processID: ProcessInfo.processInfo.processIdentifier, hostname: LogClock.hostname())
    }

    /// Sends `message` to each target whose level lets it through.
    public func log(_ message: String, level: SyslogLevel, to targets: [LogTarget], at time: LogTimestamp? = nil) {
        guard !targets.isEmpty else { return }
        let when = time ?? LogClock.now()
        for target in targets where SyslogFormatter.accepts(level, target: target) {
            let framed = formatter.frame(message, level: level, at: when, for: target)
            switch target.destination {
            case .stdout: write(framed, to: FileHandle.standardOutput)
            case .stderr: write(framed, to: FileHandle.standardError)
            case .udp(let host, let port): send(framed, host: host, port: port)
            }
        }
    }

    private func write(_ text: String, to handle: FileHandle) {
        outputLock.withLock { handle.write(Data(text.utf8)) }
    }

    private func send(_ text: String, host: String, port: Int) {
        guard let address = addresses.withLockedValue({ $0["\(host):\(port)"] }),
            let channel = channels.withLockedValue({ $0[address.protocol] })
        else { return }
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }

    /// Resolves the UDP targets' addresses and opens their sockets. Call it before serving, off the
    /// event loops: it blocks. Targets that cannot be resolved are returned with the reason.
    public func prepare(_ targets: [LogTarget]) -> [(LogTarget, String)] {
        var failures: [(LogTarget, String)] = []
        for target in targets {
            guard case .udp(let host, let port) = target.destination else { continue }
            let key = "\(host):\(port)"
            if addresses.withLockedValue({ $0[key] }) != nil { continue }
            do {
                let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
                addresses.withLockedValue { $0[key] = address }
                let family = address.protocol
                if channels.withLockedValue({ $0[family] }) == nil {
                    let channel = try DatagramBootstrap(group: group).bind(host: family == .inet6 ? "::" : "0.0.0.0", port: 0).wait()
                    channels.withLockedValue { $0[family] = channel }
                }
            } catch {
                failures.append((target, "\(error)"))
            }
        }
        return failures
    }

    /// Closes the sockets.
    public func shutdown() {
        let all = channels.withLockedValue { channels in
            defer { channels = [:] }
            return Array(channels.values)
        }
        for channel in all { channel.close(promise: nil) }
    }
}
