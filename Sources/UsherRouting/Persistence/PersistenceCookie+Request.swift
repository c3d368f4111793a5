/// The request side: which server the client's cookie names, and what the server must not see.
extension PersistenceCookie {
    /// Reads the persistence cookie in the request's `Cookie` fields.
    ///
    /// - The first server, in declaration order, whose `cookie` value the cookie names gets the
    ///   request if it is up, or if `persistOnDownServers` (`option persist`, `force-persist`);
    ///   a down server is skipped in favour of another with the same value.
    /// - `ignored` (`ignore-persist`, or a `use-server` rule that already chose) reads the cookie
    ///   without following it: status `U`. A second cookie after one was followed is `U` too.
    /// - With `maxlife`/`maxidle`, a cookie whose dates are too old, or more than a day ahead of
    ///   `now` (Unix seconds), is ignored: `O` or `E`.
    /// - Prefix mode strips `SRV~` from the value; insert mode with `indirect` removes the cookie
    ///   (and a field left empty). Like HAProxy, spaces around `=` are removed from every cookie of
    ///   a field it reads.
    public func processRequest(
        _ headers: HTTPHeaders, serverIsUp: [Bool], persistOnDownServers: Bool = false, ignored: Bool = false, now: Int64
    ) -> RequestOutcome {
        var reading = RequestReading(serverIsUp: serverIsUp, persistOnDownServers: persistOnDownServers, now: now, serverChosen: ignored)
        for (index, field) in headers.fields.enumerated() where field.hasName("Cookie") {
            let bytes = Array(field.value.utf8)
            let rewritten = rewriteRequestField(bytes, &reading)
            if rewritten != bytes {
                reading.outcome.edits.append(HeaderEdit(index: index, value: rewritten.map { String(decoding: $0, as: UTF8.self) }))
            }
        }
        return reading.outcome
    }

    /// What reading a request's cookies carries from one to the next.
    private struct RequestReading {
        let serverIsUp: [Bool]
        let persistOnDownServers: Bool
        let now: Int64
        /// A server is already chosen, by an earlier cookie or by something else (`ignored`).
        var serverChosen: Bool
        var outcome = RequestOutcome()
    }

    /// One `Cookie` field: returns its new bytes, or `nil` when nothing of it is left.
    private func rewriteRequestField(_ bytes: [UInt8], _ reading: inout RequestReading) -> [UInt8]? {
        let cookieName = Array(name.utf8)
        let removesOurs = mode == .insert && configuration.indirect
        var output: [UInt8] = []
        // Where in `output` the cookies being removed start; they go once the next kept cookie is
        // reached, or at the end.
        var removalStart: Int? = nil
        // Whether anything of the field must stay (a cookie that is not ours).
        var keepsField = false

        for item in CookieItem.requestItems(bytes) {
            guard item.equal != nil else {
                keepsField = true
                append(bytes[item.start..<item.next], to: &output, closing: &removalStart)
                continue
            }
            // `NAME = VALUE` becomes `NAME=VALUE`.
            var text = Array(bytes[item.start..<item.nameEnd]) + [UInt8(ascii: "=")]
            let isOurs = item.name(in: bytes).elementsEqual(cookieName)
            if item.isAttribute(in: bytes) || !isOurs {
                text += bytes[item.valueStart..<item.next]
                if item.isAttribute(in: bytes) {
                    // `$Path` and the like belong to the cookie before them and share its fate.
                    output += text
                } else {
                    keepsField = true
                    append(text[...], to: &output, closing: &removalStart)
                }
                continue
            }
            let serverEnd = readOurCookie(bytes, item, &reading)
            if mode == .prefix, serverEnd < item.valueEnd {
                // The server sees the value it set: what follows `SRV~`.
                text += bytes[(serverEnd + 1)..<item.next]
                keepsField = true
                output += text
            } else {
                text += bytes[item.valueStart..<item.next]
                if removesOurs, removalStart == nil { removalStart = output.count }
                output += text
            }
        }
        if let removalStart {
            guard keepsField else { return nil }
            output.removeSubrange(removalStart...)
        }
        return output
    }

    /// Appends a kept cookie's text (its leading delimiter first, except at the start of the field),
    /// dropping the cookies pending removal before it the way HAProxy joins what remains: at the
    /// start of the field the kept cookie loses its delimiter; elsewhere it takes the place of the
    /// removed ones after the previous cookie, as `; NAME=VALUE`.
    private func append(_ text: ArraySlice<UInt8>, to output: inout [UInt8], closing removalStart: inout Int?) {
        guard let start = removalStart else {
            output += text
            return
        }
        removalStart = nil
        var rest = text
        if start == 0 {
            output.removeAll()
            rest = rest.dropFirst()
            while let first = rest.first, CookieItem.isSpaceOrTab(first) { rest = rest.dropFirst() }
            output += rest
            return
        }
        var end = start
        while end > 0, CookieItem.isSpaceOrTab(output[end - 1]) { end -= 1 }
        output.removeSubrange(end...)
        guard let delimiter = rest.popFirst() else { return }
        while let first = rest.first, CookieItem.isSpaceOrTab(first) { rest = rest.dropFirst() }
        output += [delimiter, UInt8(ascii: " ")] + rest
    }

    /// Reads one occurrence of our cookie into `outcome`; returns where the server's part of the
    /// value ends (the `~` in prefix mode, the `|` before dates otherwise, else the value's end).
    private func readOurCookie(_ bytes: [UInt8], _ item: CookieItem, _ reading: inout RequestReading) -> Int {
        let value = item.value(in: bytes)
        let now = reading.now
        var serverEnd = item.valueEnd
        if mode == .prefix {
            serverEnd = value.firstIndex(of: UInt8(ascii: "~")) ?? item.valueEnd
        } else if let bar = value.firstIndex(of: UInt8(ascii: "|")) {
            serverEnd = bar
            if let lastSeen = Self.decodeDate(bytes[(bar + 1)..<item.valueEnd]), lastSeen > 0 { reading.outcome.lastSeen = lastSeen }
            if let second = bytes[(bar + 1)..<item.valueEnd].firstIndex(of: UInt8(ascii: "|")), item.valueEnd - second > 5,
                let firstSeen = Self.decodeDate(bytes[(second + 1)..<item.valueEnd]), firstSeen > 0
            {
                reading.outcome.firstSeen = firstSeen
            }
        }
        let dayAhead: Int64 = 86400
        var usable = serverEnd > item.valueStart
        if reading.outcome.firstSeen != 0, maxLife != 0, now - reading.outcome.firstSeen > maxLife || reading.outcome.firstSeen - now > dayAhead {
            reading.outcome.status = .old
            (usable, reading.outcome.firstSeen, reading.outcome.lastSeen) = (false, 0, 0)
        } else if reading.outcome.lastSeen != 0, maxIdle != 0, now - reading.outcome.lastSeen > maxIdle || reading.outcome.lastSeen - now > dayAhead {
            reading.outcome.status = .expired
            (usable, reading.outcome.firstSeen, reading.outcome.lastSeen) = (false, 0, 0)
        }
        // An empty server part never counts: a client that learned an empty cookie (from a server
        // without one) must not stick to such a server.
        if usable, !reading.serverChosen {
            let named = bytes[item.valueStart..<serverEnd]
            for (index, serverValue) in serverValues.enumerated() where serverValue.map({ named.elementsEqual($0.utf8) }) ?? false {
                let isUp = index < reading.serverIsUp.count && reading.serverIsUp[index]
                reading.outcome.status = isUp ? .valid : .down
                if isUp || reading.persistOnDownServers {
                    reading.outcome.server = index
                    reading.serverChosen = true
                    return serverEnd
                }
            }
        }
        // A status, once given, stays: only a request without one becomes invalid or unused here.
        if reading.outcome.status == .none {
            reading.outcome.status = reading.serverChosen ? .unused : .invalid
        }
        return serverEnd
    }
}
