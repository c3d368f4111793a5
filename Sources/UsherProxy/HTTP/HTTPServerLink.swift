import NIOCore

/// A connection to a server used by an HTTP session, and whether it may serve another request.
final class HTTPServerLink {
    let channel: Channel
    let backend: BackendRuntime
    let serverIndex: Int
    /// Between exchanges, open and clean: the next request to the same server may use it.
    var isIdle = false
    var isReadingPaused = false

    init(channel: Channel, backend: BackendRuntime, serverIndex: Int) {
        self.channel = channel
        self.backend = backend
        self.serverIndex = serverIndex
    }

    func setReading(_ reading: Bool) {
        guard isReadingPaused == reading else { return }
        isReadingPaused = !reading
        channel.setAutoRead(reading)
    }
}

@available(*, unavailable)
extension HTTPServerLink: Sendable {}
