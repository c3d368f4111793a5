import NIOCore

extension Channel {
    /// Turns reading on or off at once, from the channel's own event loop. Unlike
    /// `setOption(_:value:)` this makes no future: it runs on every pause and resume of a busy
    /// connection.
    func setAutoRead(_ on: Bool) {
        try? syncOptions?.setOption(ChannelOptions.autoRead, value: on)
        // An HTTP/2 stream's channel only records the flag: the read that a socket channel issues
        // when reading is turned back on must be asked for (frames held meanwhile, and the
        // stream's window not reopened, stay so otherwise).
        if on, parent?.parent != nil { read() }
    }

    /// The socket options of a proxied connection (either side), set directly on a channel that is
    /// not registered yet: FINs are seen one direction at a time, no Nagle delay, and TCP
    /// keep-alives only when asked for (off is the socket's default, so nothing to set).
    /// `noDelay: false` where the bootstrap already sets `TCP_NODELAY` (`ClientBootstrap` does).
    func configureProxiedSocket(keepAlive: Bool, autoRead: Bool, noDelay: Bool) throws {
        guard let options = syncOptions else { return }
        try options.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        if noDelay { try options.setOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1) }
        if keepAlive { try options.setOption(ChannelOptions.socketOption(.so_keepalive), value: 1) }
        if !autoRead { try options.setOption(ChannelOptions.autoRead, value: false) }
    }
}
