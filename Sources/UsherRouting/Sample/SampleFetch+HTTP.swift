/// The HTTP sample fetches (HAProxy's section 7.3.6). They read ``SampleContext/request`` and
/// ``SampleContext/response``: without them they have no value, and they never wait for data.
extension SampleFetch {
    static let http: [SampleFetch] = [
        requestFetch(["method"], .method) { .string($0.method) },
        requestFetch(["path"]) { $0.pathOnly.map { .string(String($0)) } },
        requestFetch(["pathq"]) { $0.pathWithQuery.map { .string(String($0)) } },
        requestFetch(["url"]) { .string($0.target) },
        requestFetch(["base"]) { $0.base(withQuery: false).map { .string($0) } },
        requestFetch(["baseq"]) { $0.base(withQuery: true).map { .string($0) } },
        requestFetch(["query"]) { $0.queryString.map { .string(String($0)) } },
        requestFetch(["req.ver", "req_ver"]) { .string($0.version.number) },
        requestFetch(["req.proto_http", "req_proto_http"], .boolean) { _ in .boolean(true) },
        responseFetch(["status"], .integer) { .integer(Int64($0.status)) },
        responseFetch(["res.ver", "resp_ver"]) { .string($0.version.number) },

        headerFetch(["req.hdr"], .request, .string),
        headerFetch(["hdr"], .current, .string),
        headerFetch(["res.hdr", "shdr"], .response, .string),
        headerFetch(["req.fhdr"], .request, .string, full: true),
        headerFetch(["res.fhdr"], .response, .string, full: true),
        headerFetch(["req.hdr_val", "hdr_val"], .request, .integer),
        headerFetch(["res.hdr_val", "shdr_val"], .response, .integer),
        headerCountFetch(["req.hdr_cnt", "hdr_cnt"], .request, full: false),
        headerCountFetch(["res.hdr_cnt", "shdr_cnt"], .response, full: false),
        headerCountFetch(["req.fhdr_cnt"], .request, full: true),
        headerCountFetch(["res.fhdr_cnt"], .response, full: true),
        headerNamesFetch(["req.hdr_names"], .request),
        headerNamesFetch(["res.hdr_names"], .response),

        cookieFetch(["req.cook", "cook"], .request, .string),
        cookieFetch(["res.cook", "scook"], .response, .string),
        cookieFetch(["req.cook_val", "cook_val"], .request, .integer),
        cookieFetch(["res.cook_val", "scook_val"], .response, .integer),
        cookieCountFetch(["req.cook_cnt", "cook_cnt"], .request),
        cookieCountFetch(["res.cook_cnt", "scook_cnt"], .response),

        urlParameterFetch(["url_param", "urlp"], .string),
        urlParameterFetch(["urlp_val"], .integer),
    ]

    /// Which message a header or cookie fetch reads.
    enum Side: Sendable {
        case request
        case response
        /// The response once there is one, else the request: `hdr()` outside ACLs.
        case current

        func headers(_ context: SampleContext) -> HTTPHeaders? {
            switch self {
            case .request: return context.request?.headers
            case .response: return context.response?.headers
            case .current: return context.response?.headers ?? context.request?.headers
            }
        }
    }

    /// Which of several values a fetch returns outside ACLs.
    enum Pick: Sendable {
        case first
        case last
    }

    /// A fetch without arguments over the request line.
    static func requestFetch(
        _ names: [String], _ match: MatchMethod = .string, _ read: @escaping @Sendable (HTTPRequestHead) -> SampleValue?
    ) -> SampleFetch {
        headFetch(names, match, { $0.request }, read)
    }

    /// A fetch without arguments over the status line.
    static func responseFetch(
        _ names: [String], _ match: MatchMethod = .string, _ read: @escaping @Sendable (HTTPResponseHead) -> SampleValue?
    ) -> SampleFetch {
        headFetch(names, match, { $0.response }, read)
    }

    static func headFetch<Head>(
        _ names: [String], _ match: MatchMethod, _ head: @escaping @Sendable (SampleContext) -> Head?,
        _ read: @escaping @Sendable (Head) -> SampleValue?
    ) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: match, readsPayload: false, readsHTTP: true, make: noArguments { context in
            guard let head = head(context), let value = read(head) else { return .noValue }
            return .value(value)
        })
    }

    /// `req.hdr(NAME[,OCC])` and its kin: the values of a header, split at commas unless `full`.
    /// Outside ACLs the last value counts; `OCC` picks one (1 the first, -1 the last).
    static func headerFetch(_ names: [String], _ side: Side, _ type: ValueType, full: Bool = false) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: type == .integer ? .integer : .string, readsPayload: false, readsHTTP: true) {
            arguments throws(RoutingError) in
            guard arguments.count <= 2 else { throw RoutingError("expects a header name and an optional occurrence, e.g. \(names[0])(host)") }
            let name = arguments.first.flatMap { $0.isEmpty ? nil : $0 }
            let occurrence = arguments.count == 2 ? Int(arguments[1]) : 0
            guard let occurrence else { throw RoutingError("the occurrence '\(arguments[1])' is not an integer") }
            return listReaders(pick: .last) { context in
                guard let headers = side.headers(context) else { return nil }
                // As in HAProxy, no name finds nothing.
                guard let name else { return [] }
                let values = full ? headers.fullOccurrences(name) : headers.occurrences(name)
                return select(values, occurrence).map { type.make($0) }
            }
        }
    }

    /// `req.hdr_cnt([NAME])`: how many values (or whole fields, when `full`) the header has; every
    /// header's without a name.
    static func headerCountFetch(_ names: [String], _ side: Side, full: Bool) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: .integer, readsPayload: false, readsHTTP: true) { arguments throws(RoutingError) in
            guard arguments.count <= 1 else { throw RoutingError("expects at most a header name") }
            let name = arguments.first.flatMap { $0.isEmpty ? nil : $0 }
            return Readers(single: { context in
                guard let headers = side.headers(context) else { return .noValue }
                let count = full ? headers.fullOccurrences(name).count : headers.occurrenceCount(name)
                return .value(.integer(Int64(count)))
            }, all: nil)
        }
    }

    /// `req.hdr_names([DELIM])`: the header names joined by the first character of `DELIM` (`,`),
    /// lowercased as HAProxy holds them.
    static func headerNamesFetch(_ names: [String], _ side: Side) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: .string, readsPayload: false, readsHTTP: true) { arguments throws(RoutingError) in
            guard arguments.count <= 1 else { throw RoutingError("expects at most a delimiter") }
            let delimiter = arguments.first?.first.map(String.init) ?? ","
            return Readers(single: { context in
                guard let headers = side.headers(context) else { return .noValue }
                return .value(.string(headers.fields.map { $0.name.lowercased() }.joined(separator: delimiter)))
            }, all: nil)
        }
    }

    /// `req.cook([NAME])`: cookie values. Outside ACLs, the last cookie of that name, or the first
    /// cookie when no name is given.
    static func cookieFetch(_ names: [String], _ side: Side, _ type: ValueType) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: type == .integer ? .integer : .string, readsPayload: false, readsHTTP: true) {
            arguments throws(RoutingError) in
            let name = try cookieName(arguments)
            return listReaders(pick: name == nil ? .first : .last) { context in
                guard let headers = side.headers(context) else { return nil }
                let values = side == .response ? headers.responseCookieValues(name) : headers.requestCookieValues(name)
                return values.map { type.make($0) }
            }
        }
    }

    /// `req.cook_cnt([NAME])`: how many cookies of that name (or in all) there are.
    static func cookieCountFetch(_ names: [String], _ side: Side) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: .integer, readsPayload: false, readsHTTP: true) { arguments throws(RoutingError) in
            let name = try cookieName(arguments)
            return Readers(single: { context in
                guard let headers = side.headers(context) else { return .noValue }
                let values = side == .response ? headers.responseCookieValues(name) : headers.requestCookieValues(name)
                return .value(.integer(Int64(values.count)))
            }, all: nil)
        }
    }

    static func cookieName(_ arguments: [String]) throws(RoutingError) -> String? {
        guard arguments.count <= 1 else { throw RoutingError("expects at most a cookie name") }
        return arguments.first.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `url_param([NAME[,DELIM]])`: URL parameter values; outside ACLs the first one.
    static func urlParameterFetch(_ names: [String], _ type: ValueType) -> SampleFetch {
        SampleFetch(names: names, defaultMatch: type == .integer ? .integer : .string, readsPayload: false, readsHTTP: true) {
            arguments throws(RoutingError) in
            guard arguments.count <= 2 else { throw RoutingError("expects a parameter name and an optional delimiter, e.g. url_param(id)") }
            let name = arguments.first.flatMap { $0.isEmpty ? nil : $0 }
            let delimiter = arguments.count == 2 ? arguments[1].utf8.first ?? UInt8(ascii: "?") : UInt8(ascii: "?")
            return listReaders(pick: .first) { context in
                guard let request = context.request else { return nil }
                return request.urlParameters(named: name, delimiter: delimiter).map { type.make($0) }
            }
        }
    }

    /// The type a text value is returned as.
    enum ValueType: Sendable {
        case string
        /// HAProxy's `*_val` fetches: the leading integer of the text.
        case integer

        func make(_ text: String) -> SampleValue {
            switch self {
            case .string: return .string(text)
            case .integer: return .integer(Int64(Self.leadingInteger(text)))
            }
        }

        /// HAProxy's `strl2ic`: digits after an optional `-`, in 32-bit arithmetic. Like HAProxy it
        /// stops only at bytes above `9`, so other bytes bend the result instead of ending it.
        static func leadingInteger(_ text: String) -> Int32 {
            var bytes = text.utf8[...]
            var result: Int32 = 0
            let negative = bytes.first == UInt8(ascii: "-")
            if negative { bytes = bytes.dropFirst() }
            for byte in bytes {
                let digit = Int32(byte) - 48
                if digit > 9 { break }
                result = negative ? result &* 10 &- digit : result &* 10 &+ digit
            }
            return result
        }
    }

    /// Readers over a list of values: `nil` from `values` means nothing to look at (no value), an
    /// empty list that nothing was found.
    static func listReaders(pick: Pick, _ values: @escaping @Sendable (SampleContext) -> [SampleValue]?) -> Readers {
        Readers(
            single: { context in
                guard let found = values(context), let value = pick == .first ? found.first : found.last else { return .noValue }
                return .value(value)
            },
            all: { context in
                guard let found = values(context), !found.isEmpty else { return .noValue }
                return .value(found)
            }
        )
    }

    /// HAProxy's occurrence argument: 0 every value, N the Nth from the first, -N from the last.
    static func select(_ values: [String], _ occurrence: Int) -> [String] {
        if occurrence == 0 { return values }
        let index = occurrence > 0 ? occurrence - 1 : values.count + occurrence
        return values.indices.contains(index) ? [values[index]] : []
    }
}
