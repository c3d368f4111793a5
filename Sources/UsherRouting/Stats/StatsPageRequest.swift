/// What a request for the statistics page asks for, read from its URI (`/stats;csv;norefresh?scope=be`)
/// and, for the admin form, its body (`s=srv1&s=srv2&action=drain&b=%233`).
public struct StatsPageRequest: Sendable, Equatable {
    public enum Format: Sendable, Equatable {
        case html, csv, json, typed
    }

    public var format: Format = .html
    /// `;up`: servers that are not up are left out.
    public var onlyUp = false
    /// `;norefresh`: no `Refresh` header even with `stats refresh`.
    public var noRefresh = false
    /// `;st=DONE`…: the result of the last admin action, to show above the tables.
    public var actionStatus: String?
    /// `?scope=TEXT`: proxies whose name contains it. Taken as written in the URI (not decoded), at
    /// most `scopeMaximumLength` bytes, and dropped if any byte is not a letter, a digit or one of
    /// `.:_-` — as HAProxy does. It goes back into links and the admin redirect's `Location`, so
    /// nothing else may pass.
    public var scope: String?
    public static let scopeMaximumLength = 20

    /// Reads the options after the page's URI prefix.
    public init(target: String, uri: String) {
        let rest = target.hasPrefix(uri) ? String(target.dropFirst(uri.count)) : target
        let query = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let beforeQuery = query.first ?? ""
        for option in beforeQuery.split(separator: ";", omittingEmptySubsequences: false).dropFirst() {
            let word = option.split(separator: "?").first.map(String.init) ?? ""
            switch word {
            case "csv": format = .csv
            case "json": format = .json
            case "typed": format = .typed
            case "up": onlyUp = true
            case "norefresh": noRefresh = true
            default:
                if word.hasPrefix("st=") { actionStatus = String(word.dropFirst(3)) }
            }
        }
        if query.count == 2 {
            for pair in query[1].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.first == "scope", parts.count == 2 {
                    scope = Self.validScope(parts[1])
                }
            }
        }
    }

    /// The page's own URI with the options that a link keeps (`;up`, `;norefresh`, `?scope=`).
    public func link(uri: String, extra: [String] = [], up: Bool? = nil, noRefresh: Bool? = nil) -> String {
        var text = uri
        if up ?? onlyUp { text += ";up" }
        for option in extra { text += ";\(option)" }
        if noRefresh ?? self.noRefresh { text += ";norefresh" }
        if let scope { text += "?scope=\(scope)" }
        return text
    }

    /// The admin form's fields: the servers ticked, the action and the backend (`#iid` or a name).
    public struct AdminForm: Sendable, Equatable {
        public var servers: [String] = []
        public var action: String = ""
        public var backend: String = ""

        public init(body: String) {
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let key = parts.first else { continue }
                let value = parts.count == 2 ? StatsPageRequest.formDecode(parts[1]) : ""
                switch key {
                case "s": servers.append(value)
                case "action": action = value
                case "b": backend = value
                default: break
                }
            }
        }
    }

    /// The scope a query gives, cut to its maximum length; nil if empty or if it holds a byte that
    /// is not allowed in a proxy name.
    static func validScope(_ text: Substring) -> String? {
        let bytes = text.utf8.prefix(while: { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") }).prefix(scopeMaximumLength)
        guard !bytes.isEmpty, bytes.allSatisfy(isScopeByte) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isScopeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// A form value decoded; one with a broken escape is taken as written.
    static func formDecode(_ text: Substring) -> String {
        FormURLEncoding.decode(text) ?? String(text)
    }

    /// The user and password of an `Authorization: Basic …` value; nil if it is not one.
    public static func basicCredentials(_ value: String) -> (user: String, password: String)? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic", let decoded = base64Decode(parts[1]) else { return nil }
        let text = String(decoding: decoded, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    static func base64Decode(_ text: Substring) -> [UInt8]? {
        var output: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }
}
