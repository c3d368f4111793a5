import Testing
@testable import UsherConfig

/// `peers` sections: `peer` lines, HAProxy 2.x's `server` and `bind` forms, `table` lines, the
/// local peer (`-L`, `localpeer`, the host name) and the problems reported at their lines.
@Suite struct PeersConfigTests {
    func parse(_ text: String, localName: String? = "a", hostName: String? = "host") -> ConfigurationParser.Outcome {
        var parser = ConfigurationParser()
        parser.commandLinePeerName = localName
        parser.hostName = hostName
        return parser.parse(text, file: "t.cfg")
    }

    let frontend = "frontend fe\n    mode http\n    bind :80\n    timeout client 1s\n"

    @Test func peerAndTableLines() throws {
        let outcome = parse("peers mesh\n    peer a 127.0.0.1:10000\n    peer b 10.0.0.2:10000\n    table t type ip size 1k expire 1m store http_req_rate(10s)\n" + frontend
            + "    stick-table type ip size 1k peers mesh\n")
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let configuration = try #require(outcome.configuration)
        #expect(configuration.localPeerName == "a")
        let section = try #require(configuration.peers.first)
        #expect(section.peers.map(\.name) == ["a", "b"])
        #expect(section.tables.map(\.name) == ["mesh/t"])
        #expect(section.tables.first?.peers == "mesh")
        #expect(configuration.proxies.first?.stickTable?.peers == "mesh")
    }

    @Test func serverAndBindForms() throws {
        let outcome = parse("peers mesh\n    bind 127.0.0.1:10000\n    server a\n    server b 10.0.0.2:10000\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.diagnostics)")
        let section = try #require(outcome.configuration?.peers.first)
        #expect(section.bind == "127.0.0.1:10000")
        #expect(section.peers.map(\.address) == [nil, "10.0.0.2:10000"])
    }

    @Test func localNameOrder() throws {
        let text = "global\n    localpeer b\npeers mesh\n    peer a 127.0.0.1:10000\n    peer b 127.0.0.1:10001\n"
        #expect(parse(text, localName: "a").configuration?.localPeerName == "a")
        #expect(parse(text, localName: nil).configuration?.localPeerName == "b")
        #expect(parse("peers mesh\n    peer host 127.0.0.1:10000\n", localName: nil).configuration?.localPeerName == "host")
    }

    @Test func problemsAtTheirLines() {
        let noLocal = parse("peers mesh\n    peer b 127.0.0.1:10000\n", localName: "a")
        #expect(noLocal.warnings.map(\.description) == [
            "[WARNING] t.cfg:1: peers section 'mesh' has no peer named 'a' (this instance's name: -L, else 'localpeer', else the host name): it is ignored and its tables are not synchronised",
        ])
        let remoteWithoutAddress = parse("peers mesh\n    peer a 127.0.0.1:10000\n    server b\n")
        #expect(remoteWithoutAddress.alerts.map(\.location?.line) == [3])
        let nowhereToListen = parse("peers mesh\n    server a\n")
        #expect(nowhereToListen.alerts.map(\.location?.line) == [2])
        let undeclared = parse(frontend + "    stick-table type ip size 1k peers mseh\npeers mesh\n    peer a 127.0.0.1:1\n")
        #expect(undeclared.alerts.map(\.description) == ["[ALERT] t.cfg:5: frontend 'fe': stick-table names peers section 'mseh', which is not declared; did you mean 'mesh'?"])
        let badAddress = parse("peers mesh\n    peer a localhost\n")
        #expect(badAddress.alerts.map(\.location?.line) == [2])
        let options = parse("peers mesh\n    peer a 127.0.0.1:1\n    peer b 127.0.0.1:2 ssl verify none\n")
        #expect(options.warnings.map(\.location?.line) == [3])
        let twoBinds = parse("peers mesh\n    bind :1\n    bind :2\n    server a\n")
        #expect(twoBinds.alerts.map(\.location?.line) == [3])
    }
}
