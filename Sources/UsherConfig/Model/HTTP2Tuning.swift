/// The `tune.h2.*` global settings: what usher announces in the SETTINGS frame it sends to
/// HTTP/2 clients. Defaults are HAProxy 2.6's.
public struct HTTP2Tuning: Sendable, Equatable {
    /// `tune.h2.header-table-size`: the HPACK dynamic table a client may make usher keep.
    public var headerTableSize = 4096
    /// `tune.h2.initial-window-size`: request body bytes a stream may send before usher's
    /// WINDOW_UPDATE.
    public var initialWindowSize = 65535
    /// `tune.h2.max-concurrent-streams`: 0 means no limit.
    public var maxConcurrentStreams = 100
    /// `tune.h2.max-frame-size`; nil: the larger of 16384 and `tune.bufsize`.
    public var maxFrameSize: Int?

    public init() {}
}
