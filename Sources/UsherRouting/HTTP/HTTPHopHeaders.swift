/// The `Connection` header a hop gets: whatever the sender said is replaced by what this hop will
/// do (close, stay open, or upgrade), in the fewest words its HTTP version needs.
public enum HTTPHopHeaders {
    /// Rewrites `Connection` for a message sent in `version`: `close` when a 1.1 connection will
    /// close, `keep-alive` when a 1.0 one will stay open, `upgrade` for a protocol switch.
    public static func setConnection(_ headers: inout HTTPHeaders, version: HTTPVersion, keepAlive: Bool, upgrade: Bool) {
        let token: String?
        if upgrade {
            token = "upgrade"
        } else if keepAlive {
            token = version == .http1_0 ? "keep-alive" : nil
        } else {
            token = version != .http1_0 ? "close" : nil
        }
        // Most messages have no Connection field, or one saying just what this hop will do.
        var present = 0
        var onlyValue: String? = nil
        for field in headers.fields where field.hasName("Connection") {
            present += 1
            onlyValue = field.value
        }
        if present == 0 && token == nil { return }
        if let token, present == 1, let onlyValue, HTTPField.namesEqual(onlyValue, token) { return }
        if present > 0 { headers.remove("Connection") }
        if let token { headers.add("Connection", token) }
    }

    /// Rewrites `Connection` for a response to a client that sent `clientVersion`: `close` when
    /// the connection closes (even to a 1.0 client, as the response speaks 1.1), `keep-alive` when
    /// it stays open for a 1.0 client or in a 1.0 response.
    public static func setResponseConnection(_ response: inout HTTPResponseHead, clientVersion: HTTPVersion, keepAlive: Bool) {
        let version: HTTPVersion = keepAlive && clientVersion == .http1_0 ? .http1_0 : response.version == .http1_0 && !keepAlive ? .http1_1 : response.version
        setConnection(&response.headers, version: version, keepAlive: keepAlive, upgrade: false)
    }

    /// Whether a request asks to switch protocols (`Connection: upgrade` and an `Upgrade` field).
    public static func isUpgradeRequest(_ head: HTTPRequestHead) -> Bool {
        head.headers.hasToken("upgrade", in: "Connection") && head.headers.contains("Upgrade")
    }

    /// Whether the server will keep its connection open after this response.
    public static func serverKeepsAlive(_ response: HTTPResponseHead) -> Bool {
        if response.headers.hasToken("close", in: "Connection") { return false }
        if response.version == .http1_0 { return response.headers.hasToken("keep-alive", in: "Connection") }
        return true
    }
}
