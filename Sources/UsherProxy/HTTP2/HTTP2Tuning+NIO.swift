import NIOCore
import NIOHTTP2
import UsherConfig

extension HTTP2Tuning {
    /// `tune.bufsize`'s default: the frame size and header list bounds follow it, as in HAProxy.
    static let defaultBufferSize = 16384

    /// The SETTINGS usher announces and the protections NIOHTTP2 applies, for one connection.
    ///
    /// - SETTINGS_MAX_HEADER_LIST_SIZE is `tune.bufsize`: a header block that decodes to more
    ///   (an HPACK bomb: small on the wire, huge once decoded) is refused before it is kept.
    /// - The known floods are bounded by NIOHTTP2's counters: RST_STREAM (rapid reset,
    ///   CVE-2023-44487), CONTINUATION frames in a row, SETTINGS/PING/PRIORITY frames per window,
    ///   empty DATA frames, control frames queued for a client that does not read.
    func configuration(bufferSize: Int?) -> NIOHTTP2Handler.Configuration {
        let buffer = bufferSize ?? Self.defaultBufferSize
        var settings: [HTTP2Setting] = [
            HTTP2Setting(parameter: .headerTableSize, value: headerTableSize),
            HTTP2Setting(parameter: .initialWindowSize, value: initialWindowSize),
            HTTP2Setting(parameter: .maxFrameSize, value: min(16_777_215, maxFrameSize ?? max(16384, buffer))),
            HTTP2Setting(parameter: .maxHeaderListSize, value: buffer),
            HTTP2Setting(parameter: .enablePush, value: 0),
        ]
        if maxConcurrentStreams > 0 {
            settings.insert(HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams), at: 0)
        }
        var configuration = NIOHTTP2Handler.Configuration()
        configuration.connection.initialSettings = settings
        // The connection's window follows the streams' (a client may use all of it on one stream).
        configuration.connection.targetWindowSize = max(65535, initialWindowSize)
        configuration.stream.targetWindowSize = initialWindowSize
        return configuration
    }
}
