import NIOCore

/// A connection to a server used by an HTTP session, and whether it may serve another request.
final class HTTPServerLink {
    let channel: Channel
    let backend: BackendRuntime
    let serverIndex: Int
    /// The SNI the connection was made with (nil: none, or plain). HAProxy reuses a connection only
    /// for requests whose `sni` comes to the same name; so does usher.
    let serverName: String?
    /// Between exchanges, open and clean: the next request to the same server may use it.
    var isIdle = false
    var isReadingPaused = false

    init(channel: Channel, backend: BackendRuntime, serverIndex: Int, serverName: String? = nil) {
        self.channel = channel
        self.backend = backend
        self.serverIndex = serverIndex
        self.serverName = serverName
    }

    func setReading(_ reading: Bool) {
        guard isReadingPaused == reading else { return }
        isReadingPaused = !reading
        channel.setAutoRead(reading)
    }
}

@available(*, unavailable)
extension HTTPServerLink: Sendable {}
