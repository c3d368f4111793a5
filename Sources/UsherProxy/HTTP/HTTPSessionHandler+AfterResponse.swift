import NIOCore
import UsherRouting

extension HTTPSessionHandler {
    /// Whether an `http-after-response` rule may apply: the backend's or the frontend's.
    func hasAfterResponseRules(_ exchange: HTTPExchange) -> Bool {
        exchange.backend?.routes.httpAfterResponseRules.isEmpty == false || !frontend.routes.httpAfterResponseRules.isEmpty
    }

    /// `http-after-response` rules, the backend's then the frontend's, on a response head about to
    /// go to the client. Their only verdicts are to stop early (`allow`) or go on. The request is
    /// gone by then, as in HAProxy: its fetches (`path`, `req.hdr()`) have no value; variables stay.
    func applyAfterResponseRules(to head: inout HTTPResponseHead, exchange: HTTPExchange) {
        guard hasAfterResponseRules(exchange) else { return }
        var sample = SampleContext(
            connection: connection, payload: ByteBuffer(), isFinal: true, helloParser: runtime.helloParser, response: head, variables: self
        )
        sample.stickCounters = stickCounters
        sample.stream = streamFacts(exchange)
        if let backendRules = exchange.backend?.routes.httpAfterResponseRules {
            _ = backendRules.apply(to: &head, &sample)
        }
        _ = frontend.routes.httpAfterResponseRules.apply(to: &head, &sample)
    }

    /// A response usher makes itself (an error page, a `return`, a redirect, the stats page), after
    /// the `http-after-response` rules: its head read back, rewritten, written again before the same
    /// body. As in HAProxy, an answer to a request that could not even be parsed skips them.
    func afterResponse(_ bytes: [UInt8], exchange: HTTPExchange) -> (status: Int?, bytes: [UInt8]) {
        guard exchange.isParsed, hasAfterResponseRules(exchange) else { return (nil, bytes) }
        let parsed: (head: HTTPResponseHead, length: Int)? = bytes.withUnsafeBytes { raw in
            var scanner = HTTPHeadScanner()
            guard let length = scanner.headLength(in: raw),
                let head = try? HTTPHeadParser.parseResponse(UnsafeRawBufferPointer(rebasing: raw[..<length]))
            else { return nil }
            return (head, length)
        }
        guard var (head, length) = parsed else { return (nil, bytes) }
        applyAfterResponseRules(to: &head, exchange: exchange)
        var buffer = ByteBuffer()
        buffer.writeHTTPResponseHead(head)
        buffer.writeBytes(bytes[length...])
        return (head.status, Array(buffer.readableBytesView))
    }
}
