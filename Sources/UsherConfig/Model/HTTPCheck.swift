/// How a backend's HTTP health checks are made: the request line of `option httpchk`, the
/// `http-check send|expect` rules and `http-check disable-on-404`. Whether HTTP checks are on is
/// `ProxySettings.isEnabled("httpchk")` (`option ssl-hello-chk` or `option tcp-check` turn them off).
///
/// Inherited from `defaults` as a whole, as in HAProxy 2.6: a proxy's own `option httpchk` or
/// `http-check send|expect` line starts a new request and rule list (the defaults' request line
/// included); `disable-on-404` is kept.
public struct HTTPCheck: Sendable, Equatable {
    /// `option httpchk METHOD URI`: `nil` when not written (HAProxy then uses `OPTIONS`).
    public var method: String?
    /// `option httpchk URI`: `nil` when not written (`/`).
    public var uri: String?
    /// `option httpchk METHOD URI VERSION`: `nil` when not written (`HTTP/1.0`).
    public var version: String?
    /// Header lines hidden after the version with `\r\n` (the deprecated pre-2.2 way to add
    /// headers), split at their first `:`, values trimmed.
    public var legacyHeaders: [HTTPHeaderField]
    /// A body hidden after an empty line in the version (deprecated, like `legacyHeaders`).
    public var legacyBody: String?
    /// `http-check send` and `http-check expect`, in order. Without any `expect`, a 2xx or 3xx
    /// status passes.
    public var rules: [HTTPCheckRule]
    /// `http-check disable-on-404`: a server answering 404 gets no new traffic but stays up.
    public var disableOn404: Bool
    /// The `option httpchk` line, if any.
    public var location: SourceLocation?

    public init(
        method: String? = nil, uri: String? = nil, version: String? = nil, legacyHeaders: [HTTPHeaderField] = [],
        legacyBody: String? = nil, rules: [HTTPCheckRule] = [], disableOn404: Bool = false, location: SourceLocation? = nil
    ) {
        self.method = method
        self.uri = uri
        self.version = version
        self.legacyHeaders = legacyHeaders
        self.legacyBody = legacyBody
        self.rules = rules
        self.disableOn404 = disableOn404
        self.location = location
    }

    /// The method sent: the first `http-check send meth`, else `option httpchk`'s, else `OPTIONS`.
    public var effectiveMethod: String { firstSend(\.method) ?? method ?? "OPTIONS" }
    /// The URI sent: the first `http-check send uri`, else `option httpchk`'s, else `/`.
    public var effectiveURI: String { firstSend(\.uri) ?? uri ?? "/" }
    /// The HTTP version sent: the first `http-check send ver`, else `option httpchk`'s, else `HTTP/1.0`.
    public var effectiveVersion: String { firstSend(\.version) ?? version ?? "HTTP/1.0" }

    private func firstSend(_ field: KeyPath<HTTPCheckRule.Send, String?>) -> String? {
        for rule in rules {
            if case .send(let send) = rule { return send[keyPath: field] }
        }
        return nil
    }
}
