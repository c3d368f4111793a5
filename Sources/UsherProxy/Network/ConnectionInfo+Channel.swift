import NIOCore
import UsherRouting

extension ConnectionInfo {
    /// The addresses of an accepted connection, from its channel's peer and local addresses (each
    /// read once: each read may be a system call). A connection accepted on a UNIX-domain listener
    /// has no IP addresses; it carries the listener's id instead, which is what HAProxy logs.
    init(remote: SocketAddress?, local: SocketAddress?, unixListenerID: Int?) {
        if let unixListenerID {
            self.init(unixListenerID: unixListenerID)
            return
        }
        self.init(
            source: remote.flatMap(IPAddress.init(socketAddress:)), sourcePort: remote?.port ?? 0,
            destination: local.flatMap(IPAddress.init(socketAddress:)), destinationPort: local?.port ?? 0
        )
    }
}
