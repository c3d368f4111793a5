extension DifferentialScenarios {
    /// A server that closes its connection right after an answer that did not say so (no
    /// `Connection: close`; a HEAD answered without a length), while the client's next pipelined
    /// request is already buffered: usher took the connection as reusable and wrote the request to
    /// it as the close came. usher used to answer 502 when the request had a body (found by
    /// bench/http-diff); now it sends the request again on a new connection, body and all.
    ///
    /// HAProxy 2.6.12 does one of two things here, by timing (repeated runs show both): it sends
    /// the request on a new connection and answers it, or it closes the client's connection after
    /// the first answer without reading the second request. Never a 502. Its checks accept both;
    /// usher must always do the first, and what both do with the first request must agree.
    static let serverCloses: [DifferentialScenario] = {
        let keepAlive = C.template(defaults: C.defaults(serverClose: false), backend: ["mode http"])
        let closes = R(closeAfter: true)
        let eitherOutcome: [ObservationCheck] = [.statusesAmong([[200], [200, 200]])]
        let timing = "HAProxy 2.6 either serves the pipelined request on a new connection or closes the client's "
            + "connection without reading it, by timing; usher always serves it"
        let secondRequest = ["origin0: ", "origin0 request 2", "client response 2", "client connection:"].map {
            Deviation(linePrefix: $0, reason: timing)
        }
        func scenario(_ name: String, send: String, first: R, second: String, body: String?, framing: HTTPWire.Framing?) -> DifferentialScenario {
            var usher: [ObservationCheck] = [
                .statuses([200, 200]), .requestLines([Request.firstLine(send, 0), second]), .originConnections(2), .clientEnd(.open),
            ]
            if let body { usher.append(.originBody(body, request: 1)) }
            if let framing { usher.append(.originFraming(framing, request: 1)) }
            return .init(name, keepAlive, send: send, replies: [first, .ok], checks: eitherOutcome, usherChecks: usher, deviations: secondRequest)
        }
        return [
            scenario(
                "server closes after a keep-alive answer: the pipelined GET goes on a new connection",
                send: Request.get("/one") + Request.get("/two"), first: closes, second: "GET /two HTTP/1.1", body: nil, framing: nil),
            scenario(
                "server closes after a keep-alive answer: the pipelined POST goes on a new connection, body and all",
                send: Request.get("/one") + Request.post("/two", body: "name=value&other=1"), first: closes,
                second: "POST /two HTTP/1.1", body: "name=value&other=1", framing: .contentLength(18)),
            scenario(
                "server closes after a keep-alive answer: the pipelined chunked POST goes on a new connection",
                send: Request.get("/one") + Request.make("POST", "/two", ["Transfer-Encoding: chunked"], body: Request.chunked(["first part,", " second part"])),
                first: closes, second: "POST /two HTTP/1.1", body: "first part, second part", framing: .chunked),
            scenario(
                "HEAD answered without a length, then the server closes: the pipelined chunked POST goes on a new connection",
                send: Request.make("HEAD", "/one") + Request.make("POST", "/two", ["Transfer-Encoding: chunked"], body: Request.chunked(["hello"])),
                first: R(framing: .closeDelimited), second: "POST /two HTTP/1.1", body: "hello", framing: .chunked),
            scenario(
                "server says Connection: close and closes: the pipelined POST goes on a new connection",
                send: Request.get("/one") + Request.post("/two", body: "name=value"),
                first: R(fields: [.init("Connection", "close")], closeAfter: true), second: "POST /two HTTP/1.1", body: "name=value",
                framing: .contentLength(10)),
            // The new connection closes too, without an answer: a 502, not another try (and not a
            // loop of them).
            .init(
                "server closes after a keep-alive answer, and the new connection closes without answering: 502", keepAlive,
                send: Request.get("/one") + Request.post("/two", body: "name=value"), replies: [closes, .garbage("")],
                checks: [.statuses([200])],
                usherChecks: [.statuses([200, 502]), .requestLines(["GET /one HTTP/1.1", "POST /two HTTP/1.1"]), .originConnections(2)],
                deviations: ["origin0: ", "origin0 request 2", "client response 2", "client connection:"].map {
                    Deviation(
                        linePrefix: $0,
                        reason: "a server that closes without answering a later pipelined request: usher answers 502, HAProxy 2.6 "
                            + "closes the client's connection without an answer (bench/http-diff.allow); HAProxy sends the request "
                            + "on the second connection or not, by timing")
                }),
        ]
    }()
}

extension Request {
    /// The request line of the `index`th request in `text` (pipelined requests, no bodies with CRLFs
    /// that look like request lines).
    static func firstLine(_ text: String, _ index: Int) -> String {
        let heads = text.components(separatedBy: "\r\n\r\n")
        return String(heads[index].split(separator: "\r\n").first ?? "")
    }
}
