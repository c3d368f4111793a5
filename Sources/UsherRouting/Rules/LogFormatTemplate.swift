import UsherConfig

/// A string with `%[sample]` expressions in it, as a dynamic `use_backend` name.
public struct LogFormatTemplate: Sendable {
    enum Piece: Sendable {
        case literal(String)
        case sample(CompiledSample)
    }

    let pieces: [Piece]

    public init(_ text: String) throws(RoutingError) {
        var pieces: [Piece] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "%", text.index(after: index) < text.endIndex, text[text.index(after: index)] == "[" {
                guard let close = text[index...].firstIndex(of: "]") else {
                    throw RoutingError("missing ']' after '%[' in '\(text)'")
                }
                if !literal.isEmpty {
                    pieces.append(.literal(literal))
                    literal = ""
                }
                let body = String(text[text.index(index, offsetBy: 2)..<close])
                switch SampleExpression.parse(body) {
                case .success(let expression): pieces.append(.sample(try CompiledSample(expression)))
                case .failure(let error): throw RoutingError(error.message)
                }
                index = text.index(after: close)
                continue
            }
            literal.append(character)
            index = text.index(after: index)
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// The fetches of its samples that read HTTP, in order.
    var httpFetchNames: [String] {
        pieces.compactMap { piece in
            guard case .sample(let sample) = piece, sample.readsHTTP else { return nil }
            return sample.expression.fetch.name
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
            }
        }
        return result
    }
}
