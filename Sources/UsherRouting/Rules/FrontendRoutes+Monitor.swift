/// `monitor-uri`: a request for that URI is answered by usher itself, 200, before any rule and
/// whatever state the backends are in (HAProxy changes that answer only with `monitor fail`, which
/// usher refuses as not supported yet).
extension FrontendRoutes {
    /// Whether `head` asks for the monitor URI, compared as HAProxy 2.6 compares it: the target
    /// exactly as written (`/health?x` is not `/health`), or, for a monitor URI that is a path, the
    /// path of an absolute-form target (`http://host/health` asks for `/health`).
    public func isMonitorRequest(_ head: HTTPRequestHead) -> Bool {
        guard let uri = proxy.settings.monitorURI else { return false }
        if head.target == uri { return true }
        guard uri.hasPrefix("/"), let path = Self.absoluteFormPath(head.target) else { return false }
        return path == uri
    }

    /// The path and query of an absolute-form target (`scheme://authority/path?query`): from the
    /// first `/` after the authority, `/` when there is none. Nil for any other form.
    static func absoluteFormPath(_ target: String) -> Substring? {
        guard let scheme = target.range(of: "://"), !target[..<scheme.lowerBound].contains("/") else { return nil }
        let afterAuthority = target[scheme.upperBound...]
        guard let slash = afterAuthority.firstIndex(of: "/") else { return "/" }
        return afterAuthority[slash...]
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
