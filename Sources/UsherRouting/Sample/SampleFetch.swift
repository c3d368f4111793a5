import NIOCore

/// A sample fetch usher implements: its HAProxy names, the match method its ACLs use by default, and
/// how it reads its value.
struct SampleFetch: Sendable {
    typealias Reader = @Sendable (inout SampleContext) -> FetchResult<SampleValue>
    /// Reads every value of a fetch that can find several (header values, cookies, URL parameters).
    typealias ListReader = @Sendable (inout SampleContext) -> FetchResult<[SampleValue]>
    /// Builds the readers from the fetch's arguments, or explains what is wrong with them.
    typealias Factory = @Sendable ([String]) throws(RoutingError) -> Readers

    /// How a fetch reads: one value, as `%[…]` expressions and most rules take it, and for fetches
    /// that can find several, all of them, as an ACL tries them until one matches.
    struct Readers: Sendable {
        var single: Reader
        var all: ListReader?
    }

    var names: [String]
    var defaultMatch: MatchMethod
    /// Whether the fetch reads request bytes, and so may make rules wait for more of them.
    var readsPayload: Bool
    /// Whether the fetch reads the HTTP request or response, which usher has in `mode http` only.
    var readsHTTP = false
    /// Whether the fetch reads nothing of a connection (`str()`, `int()`, `var()`): what `set-var`
    /// in the `global` section may use.
    var isInternal = false
    /// Whether the type of its value is known only when it is read (`var()`): an ACL on it must
    /// name its match method with `-m`, as in HAProxy.
    var hasDynamicType = false
    var make: Factory

    init(names: [String], defaultMatch: MatchMethod, readsPayload: Bool, readsHTTP: Bool = false, make: @escaping Factory) {
        self.names = names
        self.defaultMatch = defaultMatch
        self.readsPayload = readsPayload
        self.readsHTTP = readsHTTP
        self.make = make
    }

    static let all: [SampleFetch] = layer4 + http + authentication + tls + stream + internalData

    /// The fetches that read the connection and its first bytes.
    static let layer4: [SampleFetch] = [
        SampleFetch(names: ["req.ssl_sni", "req_ssl_sni"], defaultMatch: .string, readsPayload: true, make: noArguments { context in
            switch context.clientHello() {
            case .needMoreData: return context.settle(.needMoreData)
            case .notClientHello: return .noValue
            case .clientHello(let hello):
                guard let name = hello.serverNames.first else { return .noValue }
                return .value(.string(name))
            }
        }),
        SampleFetch(names: ["req.ssl_alpn"], defaultMatch: .string, readsPayload: true, make: noArguments { context in
            switch context.clientHello() {
            case .needMoreData: return context.settle(.needMoreData)
            case .notClientHello: return .noValue
            case .clientHello(let hello):
                guard let protocolName = hello.alpnProtocols.first else { return .noValue }
                return .value(.string(protocolName))
            }
        }),
        SampleFetch(names: ["req.ssl_hello_type", "req_ssl_hello_type"], defaultMatch: .integer, readsPayload: true, make: noArguments { context in
            let parser = context.helloParser
            let result = context.payload.withUnsafeReadableBytes { parser.helloType($0) }
            return context.settle(result.map { .integer(Int64($0)) })
        }),
        SampleFetch(names: ["req.ssl_ver", "req_ssl_ver"], defaultMatch: .integer, readsPayload: true, make: noArguments { context in
            let parser = context.helloParser
            let result = context.payload.withUnsafeReadableBytes { parser.sslVersion($0) }
            return context.settle(result.map { .integer(Int64($0)) })
        }),
        SampleFetch(names: ["req.len", "req_len"], defaultMatch: .integer, readsPayload: true, make: noArguments { context in
            let length = context.payload.readableBytes
            // An empty buffer may still fill up; anything else is what it is now.
            if length == 0 && !context.isFinal { return .needMoreData }
            return .value(.integer(Int64(length)))
        }),
        SampleFetch(names: ["req.payload"], defaultMatch: .binary, readsPayload: true, make: { arguments throws(RoutingError) in
            guard arguments.count == 2, let offset = Int(arguments[0]), offset >= 0, let length = Int(arguments[1]), length >= 0 else {
                throw RoutingError("'req.payload' expects two arguments: an offset and a length, e.g. req.payload(0,3)")
            }
            return Readers(single: { context in
                let available = context.payload.readableBytes
                let wanted = length == 0 ? available - offset : length
                guard wanted >= 0, available >= offset + wanted, length > 0 || offset <= available else {
                    return context.settle(.needMoreData)
                }
                let bytes = context.payload.getBytes(at: context.payload.readerIndex + offset, length: wanted) ?? []
                return .value(.binary(bytes))
            }, all: nil)
        }),
        SampleFetch(names: ["src"], defaultMatch: .ip, readsPayload: false, make: noArguments { context in
            guard let address = context.connection.source else { return .noValue }
            return .value(.address(address))
        }),
        SampleFetch(names: ["src_port"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            // No port without an IP address (a UNIX-socket client), as in HAProxy.
            guard context.connection.source != nil else { return .noValue }
            return .value(.integer(Int64(context.connection.sourcePort)))
        }),
        SampleFetch(names: ["dst"], defaultMatch: .ip, readsPayload: false, make: noArguments { context in
            guard let address = context.connection.destination else { return .noValue }
            return .value(.address(address))
        }),
        SampleFetch(names: ["dst_port"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            guard context.connection.destination != nil else { return .noValue }
            return .value(.integer(Int64(context.connection.destinationPort)))
        }),
        SampleFetch(names: ["wait_end"], defaultMatch: .boolean, readsPayload: true, make: noArguments { context in
            context.isFinal ? .value(.boolean(true)) : .needMoreData
        }),
    ]

    static let byName: [String: SampleFetch] = {
        var table: [String: SampleFetch] = [:]
        for fetch in all {
            for name in fetch.names { table[name] = fetch }
        }
        return table
    }()

    static func noArguments(_ reader: @escaping Reader) -> Factory {
        return { arguments throws(RoutingError) in
            guard arguments.isEmpty else { throw RoutingError("this fetch takes no arguments") }
            return Readers(single: reader, all: nil)
        }
    }
}

extension FetchResult {
    func map<T>(_ transform: (Value) -> T) -> FetchResult<T> {
        switch self {
        case .value(let value): return .value(transform(value))
        case .needMoreData: return .needMoreData
        case .noValue: return .noValue
        }
    }
}
