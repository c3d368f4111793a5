import UsherConfig

/// The fetches on HTTP authentication (HAProxy's `http_auth*`). Only the Basic scheme carries a
/// user and a password, as in HAProxy 2.6.
extension SampleFetch {
    static let authentication: [SampleFetch] = [
        SampleFetch(names: ["http_auth"], defaultMatch: .boolean, readsPayload: false, readsHTTP: true, make: { arguments throws(RoutingError) in
            let userlist = try AuthenticationScope.resolve(arguments.first, for: "http_auth")
            guard arguments.count == 1 else { throw RoutingError("'http_auth' takes one argument, the userlist's name") }
            return Readers(single: { context in
                guard let request = context.request else { return .noValue }
                guard let credentials = HTTPAuthorization(request.headers)?.basicCredentials else { return .value(.boolean(false)) }
                return .value(.boolean(userlist.authenticates(credentials.user, credentials.password, known: &context.credentialResults)))
            }, all: nil)
        }),
        // The user's name when the credentials are good; an ACL matches it against group names
        // (see `CompiledACL`).
        SampleFetch(names: ["http_auth_group"], defaultMatch: .string, readsPayload: false, readsHTTP: true, make: { arguments throws(RoutingError) in
            let userlist = try AuthenticationScope.resolve(arguments.first, for: "http_auth_group")
            guard arguments.count == 1 else { throw RoutingError("'http_auth_group' takes one argument, the userlist's name") }
            return Readers(single: { context in
                guard let request = context.request, let credentials = HTTPAuthorization(request.headers)?.basicCredentials,
                    userlist.authenticates(credentials.user, credentials.password, known: &context.credentialResults)
                else { return .noValue }
                return .value(.string(credentials.user))
            }, all: nil)
        }),
        authorizationFetch("http_auth_user") { $0.basicCredentials?.user },
        authorizationFetch("http_auth_pass") { $0.basicCredentials?.password },
        authorizationFetch("http_auth_type") { $0.type },
    ]

    /// A fetch on the `Authorization` field that checks nothing.
    private static func authorizationFetch(_ name: String, _ read: @escaping @Sendable (HTTPAuthorization) -> String?) -> SampleFetch {
        SampleFetch(names: [name], defaultMatch: .string, readsPayload: false, readsHTTP: true, make: noArguments { context in
            guard let request = context.request, let authorization = HTTPAuthorization(request.headers), let value = read(authorization) else {
                return .noValue
            }
            return .value(.string(value))
        })
    }

    /// The userlist an `http_auth_group(NAME)` criterion names, for its ACL's group check.
    static func authenticationGroupUserlist(_ expression: SampleExpression) throws(RoutingError) -> CompiledUserlist? {
        guard expression.fetch.name == "http_auth_group" else { return nil }
        return try AuthenticationScope.resolve(expression.fetch.arguments.first, for: "http_auth_group")
    }
}
