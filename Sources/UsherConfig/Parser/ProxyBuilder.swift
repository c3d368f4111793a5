/// A proxy section while its lines are read. It starts as a copy of its `defaults`, as in HAProxy, and
/// each keyword overwrites what it sets.
struct ProxyBuilder {
    var proxy: Proxy
    var warnings: [Diagnostic] = []
    /// True while building a `defaults` section.
    var isDefaults: Bool
    /// Reads `errorfile` and `return file` files while parsing, as HAProxy does.
    var fileReader = ConfigurationFileReader.system
    /// `tune.bufsize` (16384 unless the global section changed it): files to send as responses
    /// must fit in it.
    var bufferSize = 16384
    /// Whether this section wrote its own `option httpchk` or `http-check send|expect`: the first
    /// one replaces the inherited request and rules (see `HTTPCheck`).
    var ownsHTTPCheck = false
    /// Whether this section wrote its own `tcp-check` line: the first one replaces the inherited rules.
    var ownsTCPCheck = false

    init(defaults settings: ProxySettings, name: String, kind: ProxyKind, location: SourceLocation) {
        proxy = Proxy(name: name, kind: kind, location: location, settings: settings)
        isDefaults = false
    }

    init(defaultsNamed name: String, inheriting settings: ProxySettings, location: SourceLocation) {
        proxy = Proxy(name: name, kind: .listen, location: location, settings: settings)
        isDefaults = true
    }

    var settings: ProxySettings {
        get { proxy.settings }
        set { proxy.settings = newValue }
    }

    /// What the section is called in messages: `frontend 'web'`, `defaults section`.
    var sectionDescription: String {
        if isDefaults { return proxy.name.isEmpty ? "defaults section" : "defaults section '\(proxy.name)'" }
        return "\(proxy.kind.rawValue) '\(proxy.name)'"
    }

    mutating func warn(_ location: SourceLocation, _ message: String) {
        warnings.append(.warning(location, message))
    }
}
