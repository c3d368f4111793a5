import NIOCore

/// A sample fetch usher implements: its HAProxy names, the match method its ACLs use by default, and
/// how it reads its value.
struct SampleFetch: Sendable {
    typealias Reader = @Sendable (inout SampleContext) -> FetchResult<SampleValue>
    /// Builds the reader from the fetch's arguments, or explains what is wrong with them.
    typealias Factory = @Sendable ([String]) throws(RoutingError) -> Reader

    var names: [String]
    var defaultMatch: MatchMethod
    /// Whether the fetch reads request bytes, and so may make rules wait for more of them.
    var readsPayload: Bool
    var make: Factory

    static let all: [SampleFetch] = [
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
            return { context in
                let available = context.payload.readableBytes
                let wanted = length == 0 ? available - offset : length
                guard wanted >= 0, available >= offset + wanted, length > 0 || offset <= available else {
                    return context.settle(.needMoreData)
                }
                let bytes = context.payload.getBytes(at: context.payload.readerIndex + offset, length: wanted) ?? []
                return .value(.binary(bytes))
            }
        }),
        SampleFetch(names: ["src"], defaultMatch: .ip, readsPayload: false, make: noArguments { context in
            guard let address = context.connection.source else { return .noValue }
            return .value(.address(address))
        }),
        SampleFetch(names: ["src_port"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            .value(.integer(Int64(context.connection.sourcePort)))
        }),
        SampleFetch(names: ["dst"], defaultMatch: .ip, readsPayload: false, make: noArguments { context in
            guard let address = context.connection.destination else { return .noValue }
            return .value(.address(address))
        }),
        SampleFetch(names: ["dst_port"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            .value(.integer(Int64(context.connection.destinationPort)))
        }),
        SampleFetch(names: ["wait_end"], defaultMatch: .boolean, readsPayload: true, make: noArguments { context in
            context.isFinal ? .value(.boolean(true)) : .needMoreData
        }),
        SampleFetch(names: ["always_true"], defaultMatch: .boolean, readsPayload: false, make: noArguments { _ in .value(.boolean(true)) }),
        SampleFetch(names: ["always_false"], defaultMatch: .boolean, readsPayload: false, make: noArguments { _ in .value(.boolean(false)) }),
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
            return reader
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
