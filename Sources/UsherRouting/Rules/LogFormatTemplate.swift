import UsherConfig

/// A log-format string evaluated against a request (a header value, a `set-path`, a dynamic
/// `use_backend` name): literal text, `%%`, `%[sample]` expressions and the request's variables
/// (`%ci`, `%HPO`…). A variable usher cannot fill in here is refused when the configuration is
/// read, never copied to the output as text.
public struct LogFormatTemplate: Sendable {
    enum Piece: Sendable {
        case literal(String)
        case sample(CompiledSample)
        case variable(Variable)
    }

    /// The log-format variables a rule can use: those known from the connection, the stream and
    /// the request line.
    enum Variable: String, Sendable {
        case ci, cp, fi, fp, f, ft, b, s, ID, rt, HM, HU, HP, HPO, HQ, HV

        var readsHTTP: Bool {
            switch self {
            case .ci, .cp, .fi, .fp, .f, .ft, .b, .s, .ID, .rt: false
            default: true
            }
        }

        func value(_ context: SampleContext) -> String {
            let request = context.request
            switch self {
            case .ci: return context.connection.loggedSource.address
            case .cp: return String(context.connection.loggedSource.port)
            case .fi: return context.connection.loggedDestination.address
            case .fp: return String(context.connection.loggedDestination.port)
            case .f: return context.stream.frontendName ?? "-"
            case .ft: return (context.stream.frontendName ?? "-") + (context.stream.frontendIsTLS ? "~" : "")
            // Before the backend is chosen HAProxy names the frontend, and before the server `<NOSRV>`.
            case .b: return context.stream.backendName ?? context.stream.frontendName ?? "-"
            case .s: return context.stream.serverName ?? "<NOSRV>"
            case .ID: return context.stream.uniqueIDIsSet ? context.stream.uniqueID ?? "" : ""
            case .rt: return String(context.stream.streamNumber)
            case .HM: return request?.method ?? ""
            case .HU: return request?.target ?? ""
            case .HP: return String(request?.target.prefix { $0 != "?" } ?? "")
            case .HPO: return LogFormatLine.pathOnly(request?.target ?? "")
            case .HQ: return request?.target.firstIndex(of: "?").map { String(request!.target[$0...]) } ?? ""
            case .HV: return request.map { "HTTP/\($0.version.number)" } ?? ""
            }
        }
    }

    let pieces: [Piece]

    public init(_ text: String) throws(RoutingError) {
        var pieces: [Piece] = []
        var literal = ""
        let characters = Array(text)
        var index = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)) }
            literal = ""
        }
        while index < characters.count {
            let character = characters[index]
            index += 1
            guard character == "%" else {
                literal.append(character)
                continue
            }
            guard index < characters.count else {
                throw RoutingError("'%' at the end of '\(text)' (write '%%' for a '%')")
            }
            switch characters[index] {
            case "%":
                literal.append("%")
                index += 1
            case "[":
                guard let close = characters[index...].firstIndex(of: "]") else {
                    throw RoutingError("missing ']' after '%[' in '\(text)'")
                }
                flush()
                let body = String(characters[(index + 1)..<close])
                switch SampleExpression.parse(body) {
                case .success(let expression): pieces.append(.sample(try CompiledSample(expression)))
                case .failure(let error): throw RoutingError(error.message)
                }
                index = close + 1
            case "{":
                throw RoutingError("'%{…}' options in '\(text)' are not supported by usher yet outside 'log-format'")
            default:
                var name = ""
                while index < characters.count, characters[index].isASCII, characters[index].isLetter {
                    name.append(characters[index])
                    index += 1
                }
                guard !name.isEmpty else {
                    throw RoutingError("'%' must be followed by a variable name or '[' in '\(text)' (write '%%' for a '%')")
                }
                guard let variable = Variable(rawValue: name) else {
                    if LogFormatLine.known.contains(name) || LogFormatLine.notYetSupported.contains(name) {
                        throw RoutingError("log-format variable '%\(name)' is not supported by usher in this rule yet")
                    }
                    throw RoutingError("no such log-format variable '%\(name)' in '\(text)' (write '%%' for a '%')")
                }
                flush()
                pieces.append(.variable(variable))
            }
        }
        flush()
        self.pieces = pieces
    }

    /// The fetches of its samples that read HTTP, in order.
    var httpFetchNames: [String] {
        pieces.compactMap { piece in
            switch piece {
            case .sample(let sample) where sample.readsHTTP: return sample.expression.fetch.name
            case .variable(let variable) where variable.readsHTTP: return "%" + variable.rawValue
            default: return nil
            }
        }
    }

    /// The fetches of its samples (and log-format variables) that read the request's contents,
    /// payload or HTTP.
    var contentFetchNames: [String] {
        pieces.compactMap { piece in
            switch piece {
            case .sample(let sample) where sample.readsHTTP || sample.readsPayload: return sample.expression.fetch.name
            case .variable(let variable) where variable.readsHTTP: return "%" + variable.rawValue
            default: return nil
            }
        }
    }

    /// What it reads of a connection (fetches other than constants and variables, log-format
    /// variables such as `%ci`), for `set-var-fmt` in the `global` section, which has none.
    var connectionNames: [String] {
        pieces.compactMap { piece in
            switch piece {
            case .sample(let sample) where !sample.isInternal: return sample.expression.fetch.name
            case .variable(let variable): return "%" + variable.rawValue
            default: return nil
            }
        }
    }

    /// The text with each sample's value in place; a sample without a value expands to nothing.
    public func render(_ context: inout SampleContext) -> String {
        var result = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): result += text
            case .sample(let sample):
                if case .value(let value) = sample.evaluate(&context) { result += value.text }
            case .variable(let variable): result += variable.value(context)
            }
        }
        return result
    }
}
