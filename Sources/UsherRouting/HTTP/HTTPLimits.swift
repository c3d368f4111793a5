/// The bounds a message head must fit, as HAProxy's `tune.bufsize` (16384) less `tune.maxrewrite`
/// (1024) and `tune.http.maxhdr` (101) set them: a head that does not fit is refused rather than
/// buffered without end.
public struct HTTPLimits: Sendable, Equatable {
    /// The largest head, request or status line included, up to and including the empty line.
    public var maxHeadBytes: Int
    /// The most lines in one head, the start line included (trailers count separately).
    public var maxHeaderCount: Int

    public init(maxHeadBytes: Int = 16384 - 1024, maxHeaderCount: Int = 101) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
