extension SampleFetch {
    /// The fetches that read the stream's place in the configuration: its frontend, backend and
    /// server, and its unique ID. A backend or server not chosen yet has no value.
    static let stream: [SampleFetch] = [
        SampleFetch(names: ["fe_name"], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            context.stream.frontendName.map { .value(.string($0)) } ?? .noValue
        }),
        SampleFetch(names: ["fe_id"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            context.stream.frontendID.map { .value(.integer(Int64($0))) } ?? .noValue
        }),
        SampleFetch(names: ["be_name"], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            context.stream.backendName.map { .value(.string($0)) } ?? .noValue
        }),
        SampleFetch(names: ["be_id"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            context.stream.backendID.map { .value(.integer(Int64($0))) } ?? .noValue
        }),
        SampleFetch(names: ["srv_name"], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            context.stream.serverName.map { .value(.string($0)) } ?? .noValue
        }),
        SampleFetch(names: ["srv_id"], defaultMatch: .integer, readsPayload: false, make: noArguments { context in
            context.stream.serverID.map { .value(.integer(Int64($0))) } ?? .noValue
        }),
        SampleFetch(names: ["unique-id"], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            guard let uniqueID = context.stream.uniqueID else { return .noValue }
            context.stream.uniqueIDIsSet = true
            return .value(.string(uniqueID))
        }),
        // The PROXY protocol v2 fields the client's header carried (`accept-proxy`).
        SampleFetch(names: ["fc_pp_authority"], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            proxyField(ProxyProtocolHeader.Field.authority, context)
        }),
        SampleFetch(names: ["fc_pp_unique_id"], defaultMatch: .string, readsPayload: false, make: noArguments { context in
            proxyField(ProxyProtocolHeader.Field.uniqueID, context)
        }),
        SampleFetch(names: ["http_first_req"], defaultMatch: .boolean, readsPayload: false, readsHTTP: true, make: noArguments { context in
            context.request == nil ? .noValue : .value(.boolean(context.stream.isFirstRequest))
        }),
        // `capture.req.hdr(N)`, `capture.res.hdr(N)`: what capture slot N holds.
        captureSlot("capture.req.hdr", response: false),
        captureSlot("capture.res.hdr", response: true),
    ]
}

/// A PROXY protocol field's value as text; no value when the header did not carry it.
private func proxyField(_ type: UInt8, _ context: SampleContext) -> FetchResult<SampleValue> {
    guard let field = context.connection.proxyFields.first(where: { $0.type == type }) else { return .noValue }
    return .value(.string(String(decoding: field.value, as: UTF8.self)))
}

/// A fetch of a capture slot's value by its number.
private func captureSlot(_ name: String, response: Bool) -> SampleFetch {
    SampleFetch(names: [name], defaultMatch: .string, readsPayload: false, readsHTTP: true) { arguments throws(RoutingError) in
        guard arguments.count == 1, let slot = Int(arguments[0]), slot >= 0 else {
            throw RoutingError("'\(name)' expects a capture slot number, e.g. \(name)(0)")
        }
        return SampleFetch.Readers(single: { context in
            let values = response ? context.captures.response : context.captures.request
            guard values.indices.contains(slot), let value = values[slot] else { return .noValue }
            return .value(.string(value))
        }, all: nil)
    }
}
