/// `monitor-uri`: a request for that URI is answered by usher itself, 200, before any rule and
/// whatever state the backends are in (HAProxy changes that answer only with `monitor fail`, which
/// usher refuses as not supported yet).
extension FrontendRoutes {
    /// Whether `head` asks for the monitor URI: its target exactly as written, as HAProxy 2.6
    /// compares it (`/health?x` is not `/health`).
    public func isMonitorRequest(_ head: HTTPRequestHead) -> Bool {
        guard let uri = proxy.settings.monitorURI else { return false }
        return head.target == uri
    }

    /// The monitor answer: the 200 page (an `errorfile 200` replaces it), without its body for HEAD.
    public func monitorResponse(_ head: HTTPRequestHead, pages: HTTPErrorPages, closing: Bool) -> [UInt8] {
        let page = pages.response(for: 200, closing: closing)
        guard head.method == "HEAD" else { return page }
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        guard let index = page.indices.dropLast(3).first(where: { Array(page[$0..<($0 + 4)]) == end }) else { return page }
        return Array(page[..<(index + 4)])
    }
}
