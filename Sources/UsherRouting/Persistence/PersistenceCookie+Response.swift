/// The response side: the server's own persistence cookie, and the one usher inserts.
extension PersistenceCookie {
    /// The `Set-Cookie` value that makes clients forget the cookie: what a server without a cookie
    /// value gets in insert mode.
    static let expiry = "; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"

    /// What to do to the response of a request that `server` (an index into the backend's servers;
    /// `nil` when no server handled it) answered.
    ///
    /// - A `Set-Cookie` of our name is left alone with `preserve`; otherwise it is removed in
    ///   insert mode (a fresh one follows) and in a direct access with `indirect`; else rewritten to
    ///   the server's value (rewrite mode) or prefixed with `VALUE~` (prefix mode).
    /// - Insert mode adds `Set-Cookie: NAME=VALUE; path=/` (then `; domain=D`…, `; HttpOnly`,
    ///   `; Secure`, `; ATTR`…) unless the client came with the right cookie and no date needs
    ///   refreshing, with `postonly` only after a POST, and with `preserve` not over the server's
    ///   own; `nocache` then adds `Cache-control: private` if the response was cacheable.
    /// - `ignorePersistence` (`ignore-persist`) leaves every cookie alone.
    ///
    /// 1xx responses other than 101 are not touched.
    public func processResponse(
        _ response: HTTPResponseHead, request: RequestOutcome, method: String, server: Int?, ignorePersistence: Bool = false, now: Int64
    ) -> ResponseOutcome {
        var outcome = ResponseOutcome()
        guard response.status >= 200 || response.status == 101 else { return outcome }
        let serverValue = server.flatMap { serverValues.indices.contains($0) ? serverValues[$0] : nil }
        var serverSetOurs = false
        for (index, field) in response.headers.fields.enumerated() where field.hasName("Set-Cookie") {
            let bytes = Array(field.value.utf8)
            guard let item = CookieItem.setCookieItem(bytes), item.equal != nil else { continue }
            // Like HAProxy, `NAME = VALUE` becomes `NAME=VALUE` in every Set-Cookie it reads.
            var normalized = Array(bytes[..<item.nameEnd]) + [UInt8(ascii: "=")]
            let rest = bytes[item.valueStart...]
            guard !ignorePersistence, item.name(in: bytes).elementsEqual(name.utf8) else {
                normalized += rest
                if normalized != bytes { outcome.edits.append(HeaderEdit(index: index, value: String(decoding: normalized, as: UTF8.self))) }
                continue
            }
            serverSetOurs = true
            outcome.action = .passed
            if configuration.preserve {
                normalized += rest
            } else if (server != nil && mode == .insert) || (request.isDirect && configuration.indirect) {
                outcome.edits.append(HeaderEdit(index: index, value: nil))
                outcome.action = .deleted
                continue
            } else if let serverValue, mode == .rewrite {
                normalized += serverValue.utf8
                normalized += bytes[item.valueEnd...]
                outcome.action = .rewritten
            } else if let serverValue, mode == .prefix {
                normalized += serverValue.utf8
                normalized.append(UInt8(ascii: "~"))
                normalized += rest
                outcome.action = .rewritten
            } else {
                normalized += rest
            }
            if normalized != bytes { outcome.edits.append(HeaderEdit(index: index, value: String(decoding: normalized, as: UTF8.self))) }
        }
        if server != nil, mode == .insert, !(serverSetOurs && configuration.preserve), !ignorePersistence,
            !configuration.postOnly || method == "POST",
            !request.isDirect || needsDateRefresh(request, now: now)
        {
            outcome.added.append(HTTPField(name: "Set-Cookie", value: insertedCookie(serverValue, firstSeen: request.firstSeen, now: now)))
            outcome.action = serverValue != nil && request.isDirect ? .updated : .inserted
            if configuration.noCache, HTTPCacheability.isCacheable(method: method, response: response) {
                outcome.added.append(HTTPField(name: "Cache-control", value: "private"))
            }
        }
        return outcome
    }

    /// For a client that came with the right cookie: whether its dates must be set, refreshed or
    /// dropped all the same.
    func needsDateRefresh(_ request: RequestOutcome, now: Int64) -> Bool {
        ((maxIdle != 0 || request.lastSeen != 0) && (request.lastSeen == 0 || request.lastSeen < now))
            || (maxLife != 0 && request.firstSeen == 0)
            || (maxLife == 0 && request.firstSeen != 0)
    }

    /// The value of the inserted `Set-Cookie`.
    func insertedCookie(_ serverValue: String?, firstSeen: Int64, now: Int64) -> String {
        var text: String
        if let serverValue {
            text = "\(name)=\(serverValue)"
            if maxIdle != 0 || maxLife != 0 {
                text += "|" + Self.encodeDate(now)
                if maxLife != 0 { text += "|" + Self.encodeDate(firstSeen != 0 ? firstSeen : now) }
            }
            text += "; path=/"
        } else {
            text = name + "=" + Self.expiry
        }
        for domain in configuration.domains { text += "; domain=\(domain)" }
        if configuration.httpOnly { text += "; HttpOnly" }
        if configuration.secure { text += "; Secure" }
        for attribute in configuration.attributes { text += "; \(attribute)" }
        return text
    }
}
