import Testing

/// HTTP fetches in a `mode tcp` frontend, differentially: the request bytes are read as an HTTP/1
/// head (waiting for it within `tcp-request inspect-delay`) to route a port that several protocols
/// share, as HAProxy does.
/// (Run by `RoutingRuleDifferentialTests`.)
enum HTTPInTCPModeScenarios {
    static let configuration = """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 127.0.0.1:{{PORT}}
            tcp-request inspect-delay 2s
            tcp-request content accept if HTTP
            acl is_disk path_beg /disk
            acl write_method method POST PUT
            acl api_host req.hdr(host) -i api.example.test
            use_backend be_disk if is_disk
            use_backend be_disk if write_method api_host
            default_backend be_other
        backend be_disk
            server d {{ORIGIN1}}
        backend be_other
            server o {{ORIGIN0}}
        """

    static let all: [DifferentialScenario] = [
        .init(
            "mode tcp routes by path, method and Host read from the request bytes", configuration,
            clients: [
                [.send(Request.get("/disk/a", ["Connection: close"]))],
                [.send(Request.get("/other", ["Connection: close"]))],
                [.send("PUT /x HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")],
                // The head arrives in pieces: the rules wait for all of it.
                [.send("GET /di"), .pause(0.3), .send("sk/b HTTP/1.1\r\nHost: www.example.test\r\n"), .pause(0.3), .send("Connection: close\r\n\r\n")],
            ],
            checks: [
                .statuses([200]), .statuses([200], client: 1), .statuses([200], client: 2), .statuses([200], client: 3),
                .requestLines(["GET /other HTTP/1.1"]),
                .requestLines(["GET /disk/a HTTP/1.1", "PUT /x HTTP/1.1", "GET /disk/b HTTP/1.1"], origin: 1),
            ]),
    ]
}
