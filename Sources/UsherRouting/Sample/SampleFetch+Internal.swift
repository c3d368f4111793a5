import UsherConfig

extension SampleFetch {
    /// The fetches that read no connection: constants and variables. `set-var` in the `global`
    /// section may use only these.
    static let internalData: [SampleFetch] = [
        constant(["always_true"], .boolean) { arguments throws(RoutingError) in
            try expectNone(arguments)
            return .boolean(true)
        },
        constant(["always_false"], .boolean) { arguments throws(RoutingError) in
            try expectNone(arguments)
            return .boolean(false)
        },
        constant(["str"], .string) { arguments throws(RoutingError) in
            guard arguments.count <= 1 else { throw RoutingError("'str' expects one string, e.g. str(example)") }
            return .string(arguments.first ?? "")
        },
        constant(["int"], .integer) { arguments throws(RoutingError) in
            guard arguments.count == 1, let value = Int64(arguments[0]) else {
                throw RoutingError("'int' expects one signed 64-bit integer, e.g. int(100), not '\(arguments.joined(separator: ","))'")
            }
            return .integer(value)
        },
        constant(["bool"], .boolean) { arguments throws(RoutingError) in
            switch arguments {
            case ["true"], ["1"]: return .boolean(true)
            case ["false"], ["0"]: return .boolean(false)
            default: throw RoutingError("'bool' expects 'true', 'false', '0' or '1'")
            }
        },
        constant(["bin"], .binary) { arguments throws(RoutingError) in
            guard arguments.count == 1, let bytes = hexBytes(arguments[0]) else {
                throw RoutingError("'bin' expects an even number of hexadecimal digits, e.g. bin(48454c4c4f)")
            }
            return .binary(bytes)
        },
        variable,
        uuid,
    ]

    /// `uuid` (`uuid(4)`): a random version 4 UUID in lower-case hex, a new one at each evaluation.
    static let uuid: SampleFetch = {
        var fetch = SampleFetch(names: ["uuid"], defaultMatch: .string, readsPayload: false) { arguments throws(RoutingError) in
            guard arguments.allSatisfy(\.isEmpty) || arguments == ["4"] else {
                throw RoutingError("'uuid' makes version 4 UUIDs only: uuid or uuid(4)")
            }
            return Readers(single: { _ in .value(.string(randomUUID())) }, all: nil)
        }
        fetch.isInternal = true
        return fetch
    }()

    /// 16 random bytes with the version (4) and the variant (RFC 4122) bits set.
    static func randomUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }

    /// `var(SCOPE.NAME[,DEFAULT])`: the variable's value with its type, or `DEFAULT` as a string.
    static let variable: SampleFetch = {
        var fetch = SampleFetch(names: ["var"], defaultMatch: .string, readsPayload: false) { arguments throws(RoutingError) in
            guard (1...2).contains(arguments.count) else {
                throw RoutingError("'var' expects a variable name and an optional default value, e.g. var(txn.host) or var(sess.count,0)")
            }
            let variable = try variableName(arguments[0])
            let fallback: FetchResult<SampleValue> = arguments.count == 2 ? .value(.string(arguments[1])) : .noValue
            return Readers(single: { context in
                guard let value = context.variables?.sessionVariables.value(of: variable) else { return fallback }
                return .value(value)
            }, all: nil)
        }
        fetch.isInternal = true
        fetch.hasDynamicType = true
        return fetch
    }()

    /// A variable name in a fetch's or converter's arguments.
    static func variableName(_ text: String) throws(RoutingError) -> VariableName {
        switch VariableName.parse(text) {
        case .success(let variable): return variable
        case .failure(let error): throw RoutingError(error.message)
        }
    }

    /// A fetch whose value its arguments give.
    private static func constant(_ names: [String], _ match: MatchMethod, _ value: @escaping @Sendable ([String]) throws(RoutingError) -> SampleValue) -> SampleFetch {
        var fetch = SampleFetch(names: names, defaultMatch: match, readsPayload: false) { arguments throws(RoutingError) in
            let result = FetchResult.value(try value(arguments))
            return Readers(single: { _ in result }, all: nil)
        }
        fetch.isInternal = true
        return fetch
    }

    private static func expectNone(_ arguments: [String]) throws(RoutingError) {
        guard arguments.isEmpty else { throw RoutingError("this fetch takes no arguments") }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Pattern.hexDigit(digits[index]), let low = Pattern.hexDigit(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
