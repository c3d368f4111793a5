#if canImport(Glibc)
import Glibc
#endif
import NIOCore

extension Channel {
    /// Closes the connection so that the client is not told: `silent-drop`. The client goes on
    /// seeing an established connection, as HAProxy intends, at no cost here.
    ///
    /// On Linux with `CAP_NET_ADMIN` (root, usually), the socket is put in TCP repair mode first:
    /// closing it then sends nothing at all, neither FIN nor RST. Without that privilege, HAProxy's
    /// fallback: the hop limit of what is sent goes down to 1 and the socket lingers 0 seconds, so
    /// the close is a reset that dies at the first router (a client on the same host or network
    /// still gets it). A UNIX socket can only be closed: the client sees the end of the stream.
    /// Returns whether the repair mode was set (nothing at all reaches the client).
    @discardableResult
    func closeSilently() -> Bool {
        var repaired = false
        #if os(Linux)
        if let options = syncOptions {
            let repair = ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: Self.tcpRepair))
            repaired = (try? options.setOption(repair, value: 1)) != nil
            if !repaired {
                let ttl = ChannelOptions.Types.SocketOption(level: .ip, name: NIOBSDSocket.Option(rawValue: IP_TTL))
                let hops = ChannelOptions.Types.SocketOption(level: .ipv6, name: NIOBSDSocket.Option(rawValue: IPV6_UNICAST_HOPS))
                // One of the two applies, depending on the socket's family.
                _ = try? options.setOption(ttl, value: 1)
                _ = try? options.setOption(hops, value: 1)
                if let provider = self as? SocketOptionProvider {
                    _ = provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                }
            }
        }
        #endif
        close(promise: nil)
        return repaired
    }

    /// `TCP_REPAIR` from `<linux/tcp.h>`.
    private static var tcpRepair: CInt { 19 }
}
