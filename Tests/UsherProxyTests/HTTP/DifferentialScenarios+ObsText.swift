extension DifferentialScenarios {
    /// Header values with bytes 0x80–0xFF (obs-text, RFC 9110 §5.5), in a request and in a response,
    /// through a head usher rewrites (`set-header`): the bytes reach the server and the client as
    /// they came, as HAProxy 2.6 forwards them. (Before: each bad sequence arrived as U+FFFD,
    /// found by bench/http-diff.) In the tables, "\u{80}" stands for the byte 0x80 on the wire.
    static let obsText: [DifferentialScenario] = {
        let value = "a\u{80}\u{E4}\u{FF}b c"
        let utf8 = "\u{C3}\u{A4}"  // "ä" as UTF-8: stays as it is too
        let responseValue = "\u{FE}z\u{81}"
        let rewriting = C.template(
            frontend: [
                "http-request set-header X-Set a",
                "http-request set-header X-Matched yes if { req.hdr(x-bytes) -m beg a } { req.hdr(x-bytes) -m sub \"b c\" }",
                "http-request set-header X-Seen %[req.hdr(x-bytes)]",
                "http-response set-header Y-Set b",
            ],
            backend: ["mode http"])
        let fetched = [
            Deviation(
                linePrefix: "origin0 request 1 field: x-seen",
                reason: "req.hdr gives a value's text: bytes that are not UTF-8 read as U+FFFD, so a log-format that writes such a "
                    + "value writes EF BF BD where HAProxy writes the bytes; the field itself is forwarded byte for byte, and "
                    + "matches on its ASCII parts work as in HAProxy")
        ]
        return [
            .init(
                "obs-text in header values survives a rewritten head, both ways", rewriting,
                send: Request.get("/", ["X-Bytes: \(value)", "X-Utf8: \(utf8)"]),
                replies: [.ok("hello from origin\n", [.init("Y-Bytes", responseValue)])],
                checks: [
                    .statuses([200]), .originField("x-bytes", [value]), .originField("x-utf8", [utf8]), .originField("x-set", ["a"]),
                    .originField("x-matched", ["yes"]), .originField("x-seen", [value]),
                    .responseField("y-bytes", [responseValue]), .responseField("y-set", ["b"]),
                ],
                usherChecks: [
                    .statuses([200]), .originField("x-bytes", [value]), .originField("x-utf8", [utf8]), .originField("x-set", ["a"]),
                    .originField("x-matched", ["yes"]), .originField("x-seen", ["a\u{EF}\u{BF}\u{BD}\u{EF}\u{BF}\u{BD}\u{EF}\u{BF}\u{BD}b c"]),
                    .responseField("y-bytes", [responseValue]), .responseField("y-set", ["b"]),
                ],
                deviations: fetched),
            .init(
                "obs-text in header values, head forwarded as received", C.template(backend: ["mode http"], server: "server server1 {{ORIGIN0}}"),
                send: Request.get("/", ["X-Bytes: \(value)"]),
                replies: [.ok("hello from origin\n", [.init("Y-Bytes", responseValue)])],
                checks: [.statuses([200]), .originField("x-bytes", [value]), .responseField("y-bytes", [responseValue])]),
        ]
    }()
}
