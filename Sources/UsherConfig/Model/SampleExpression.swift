/// A sample expression as written: a fetch with its arguments, then converters, e.g.
/// `req.payload(0,5)` or `req.hdr(host),lower`. Its meaning is given by UsherRouting.
public struct SampleExpression: Sendable, Equatable, CustomStringConvertible {
    public struct Call: Sendable, Equatable {
        public var name: String
        public var arguments: [String]

        public init(name: String, arguments: [String]) {
            self.name = name
            self.arguments = arguments
        }
    }

    public var fetch: Call
    public var converters: [Call]

    public init(fetch: Call, converters: [Call] = []) {
        self.fetch = fetch
        self.converters = converters
    }

    public var description: String {
        ([fetch] + converters).map { call in
            call.arguments.isEmpty ? call.name : "\(call.name)(\(call.arguments.joined(separator: ",")))"
        }.joined(separator: ",")
    }

    /// Parses `name[(args)][,conv[(args)]]…`. Returns an error message on bad syntax. As in HAProxy,
    /// repeated commas count as one; a comma at the end is allowed where `allowsTrailingComma` (an
    /// ACL's criterion, where `ssl_fc,` is `ssl_fc`), and refused elsewhere (`%[…]`).
    public static func parse(_ text: String, allowsTrailingComma: Bool = false) -> Result<SampleExpression, Address.ParseError> {
        var calls: [Call] = []
        var index = text.startIndex
        while index < text.endIndex {
            var name = ""
            while index < text.endIndex, text[index] != "(", text[index] != "," {
                name.append(text[index])
                index = text.index(after: index)
            }
            guard !name.isEmpty else {
                return .failure(.init(message: "missing name in sample expression '\(text)'"))
            }
            var arguments: [String] = []
            if index < text.endIndex, text[index] == "(" {
                index = text.index(after: index)
                var current = ""
                var depth = 0
                var closed = false
                while index < text.endIndex {
                    let c = text[index]
                    index = text.index(after: index)
                    if c == "\"" || c == "'" {
                        // A quoted part of an argument (`add_item(",",txn.x)`): taken as written,
                        // commas and parentheses included, without its quotes.
                        guard let close = text[index...].firstIndex(of: c) else {
                            return .failure(.init(message: "missing closing \(c) in sample expression '\(text)'"))
                        }
                        current += text[index..<close]
                        index = text.index(after: close)
                        continue
                    }
                    if c == "(" { depth += 1 }
                    if c == ")" {
                        if depth == 0 {
                            closed = true
                            break
                        }
                        depth -= 1
                    }
                    if c == ",", depth == 0 {
                        arguments.append(current)
                        current = ""
                    } else {
                        current.append(c)
                    }
                }
                guard closed else {
                    return .failure(.init(message: "missing ')' in sample expression '\(text)'"))
                }
                arguments.append(current)
                if arguments == [""] { arguments = [] }
            }
            calls.append(Call(name: name, arguments: arguments))
            if index < text.endIndex {
                guard text[index] == "," else {
                    return .failure(.init(message: "unexpected '\(text[index...])' in sample expression '\(text)'"))
                }
                while index < text.endIndex, text[index] == "," {
                    index = text.index(after: index)
                }
                if index == text.endIndex, !allowsTrailingComma {
                    return .failure(.init(message: "missing converter after ',' in sample expression '\(text)'"))
                }
            }
        }
        guard let first = calls.first else {
            return .failure(.init(message: "empty sample expression"))
        }
        return .success(SampleExpression(fetch: first, converters: Array(calls.dropFirst())))
    }
}
