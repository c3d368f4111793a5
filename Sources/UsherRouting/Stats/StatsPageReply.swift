/// The responses of the statistics page.
public enum StatsPageReply {
    /// The page or an export, with `Refresh` when the page asks browsers to reload it.
    public static func page(_ format: StatsPageRequest.Format, body: String, refreshSeconds: Int?, isHead: Bool) -> [UInt8] {
        let type: String
        switch format {
        case .html: type = "text/html"
        case .json: type = "application/json"
        case .csv, .typed: type = "text/plain"
        }
        var headers = [("cache-control", "no-cache"), ("content-type", type)]
        if let refreshSeconds { headers.append(("refresh", String(refreshSeconds))) }
        let bytes = Array(body.utf8)
        let full = HTTPReplyBuilder.response(status: 200, headers: headers, body: bytes)
        return isHead ? Array(full.dropLast(bytes.count)) : full
    }

    /// 401 with the Basic challenge for `realm`; `closing` when the connection closes after it
    /// (the answer then says so, as HAProxy's does).
    public static func unauthorized(realm: String, closing: Bool = false) -> [UInt8] {
        let body = "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
        let quoted = realm.replacingAll("\"", with: "\\\"")
        var headers = [("cache-control", "no-cache"), ("content-type", "text/html"), ("www-authenticate", "Basic realm=\"\(quoted)\"")]
        if closing { headers.append(("connection", "close")) }
        return HTTPReplyBuilder.response(status: 401, headers: headers, body: Array(body.utf8))
    }

    /// The answer to an admin form: back to the page, with the outcome in `;st=`.
    public static func seeOther(_ location: String) -> [UInt8] {
        HTTPReplyBuilder.response(
            status: 303, headers: [("cache-control", "no-cache"), ("content-type", "text/plain"), ("location", location)], body: []
        )
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
