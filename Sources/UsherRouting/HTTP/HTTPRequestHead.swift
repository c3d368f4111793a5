/// A request line and its header fields.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent: origin form (`/a?b`), absolute form (`http://h/a`), authority
    /// form (`h:443`, for CONNECT) or `*`.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The path part of the target: from its first `/` after any scheme and authority, up to the
    /// `?`. Empty for authority form and `*`, as HAProxy's `path` has no value there.
    public var path: Substring {
        let pathAndQuery = self.pathAndQuery
        if let question = pathAndQuery.firstIndex(of: "?") { return pathAndQuery[..<question] }
        return pathAndQuery
    }

    /// What follows the `?`, without it; `nil` when there is no `?`.
    public var query: Substring? {
        let pathAndQuery = self.pathAndQuery
        guard let question = pathAndQuery.firstIndex(of: "?") else { return nil }
        return pathAndQuery[pathAndQuery.index(after: question)...]
    }

    /// The target without scheme and authority.
    public var pathAndQuery: Substring {
        let target = self.target[...]
        if target.first == "/" { return target }
        // Absolute form: skip "scheme://authority".
        guard let afterScheme = Self.afterScheme(target) else { return target[target.endIndex...] }
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return afterScheme[afterScheme.endIndex...] }
        return afterScheme[slash...]
    }

    /// The authority of an absolute-form target (`http://host:port/...`), if the target has one.
    public var targetAuthority: Substring? {
        let target = self.target[...]
        guard target.first != "/", let afterScheme = Self.afterScheme(target) else { return nil }
        let end = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
        return afterScheme[..<end]
    }

    /// What follows `scheme://` in an absolute-form target; the scheme must be letters, digits,
    /// `+`, `-` or `.`.
    static func afterScheme(_ target: Substring) -> Substring? {
        var index = target.startIndex
        while index < target.endIndex {
            let character = target[index]
            if character == ":" {
                let rest = target[index...]
                guard index > target.startIndex, rest.hasPrefix("://") else { return nil }
                return target[target.index(index, offsetBy: 3)...]
            }
            guard character.isASCII, character.isLetter || character.isNumber || "+-.".contains(character) else { return nil }
            index = target.index(after: index)
        }
        return nil
    }

    /// Replaces the path, keeping the query and any scheme and authority.
    public mutating func setPath(_ newPath: String) {
        let prefixEnd = pathAndQuery.startIndex
        let prefix = target[..<prefixEnd]
        let query = self.query.map { "?" + $0 } ?? ""
        target = prefix + newPath + query
    }

    /// Replaces the path and the query together (`replace-pathq`), keeping any scheme and authority.
    public mutating func setPathAndQuery(_ newPathAndQuery: String) {
        let prefix = target[..<pathAndQuery.startIndex]
        target = prefix + newPathAndQuery
    }

    /// Replaces the query (without `?`); `nil` removes it.
    public mutating func setQuery(_ newQuery: String?) {
        let prefix = target[..<path.endIndex]
        target = String(prefix) + (newQuery.map { "?" + $0 } ?? "")
    }

    /// Whether the client asks for the connection to stay open after this request: HTTP/1.1
    /// unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        if version == .http1_0 {
            return headers.hasToken("keep-alive", in: "Connection") && !headers.hasToken("close", in: "Connection")
        }
        return !headers.hasToken("close", in: "Connection")
    }
}
