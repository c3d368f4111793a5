import Benchmark
import NIOCore
import UsherConfig
import UsherRouting

/// What usher does per request or per connection, without sockets: the allocation counts are the
/// figures to compare before and after a change; the times are indicative on a shared machine.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .cpuTotal],
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    let request = Array("GET /index.html?lang=en HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: wrk/4.1\r\nAccept: */*\r\n\r\n".utf8)
    Benchmark("HTTP request head: parse and check framing") { benchmark in
        for _ in benchmark.scaledIterations {
            request.withUnsafeBytes { raw in
                guard var head = try? HTTPHeadParser.parseRequest(raw) else { fatalError("bad fixture") }
                blackHole(try? HTTPFramingRules.prepareRequest(&head))
            }
        }
    }

    let response = Array(("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Fri, 27 Nov 2026 05:27:00 GMT\r\n"
        + "Content-Type: text/html\r\nContent-Length: 3\r\nLast-Modified: Fri, 27 Nov 2026 04:13:25 GMT\r\n"
        + "Connection: keep-alive\r\nETag: \"6566a0a5-3\"\r\nAccept-Ranges: bytes\r\n\r\n").utf8)
    Benchmark("HTTP response head: parse, frame, set Connection, serialize") { benchmark in
        var output = ByteBufferAllocator().buffer(capacity: 1024)
        for _ in benchmark.scaledIterations {
            response.withUnsafeBytes { raw in
                guard var head = try? HTTPHeadParser.parseResponse(raw) else { fatalError("bad fixture") }
                blackHole(try? HTTPFramingRules.prepareResponse(&head, requestMethod: "GET"))
                HTTPHopHeaders.setResponseConnection(&head, clientVersion: .http1_1, keepAlive: true)
                output.clear()
                output.writeHTTPResponseHead(head)
            }
        }
        blackHole(output)
    }

    let parsed = request.withUnsafeBytes { try! HTTPHeadParser.parseRequest($0) }
    let configuration = ConfigurationParser().parse("""
        defaults
            mode http
        frontend fe
            bind :80
            acl is_api path_beg /api
            acl is_www hdr(host) -i www.example.com
            http-request set-header X-Forwarded-Proto http
            use_backend api if is_api
            use_backend www if is_www
            default_backend www
        backend api
            server a 127.0.0.1:8001
        backend www
            server w 127.0.0.1:8002
        """, file: "bench.cfg").configuration!
    let table = RoutingTable.compile(configuration, loadPatternFile: { _ in [] }).table!
    let connection = ConnectionInfo(source: IPAddress("192.0.2.7"), sourcePort: 40000, destination: IPAddress("127.0.0.1"), destinationPort: 80)
    Benchmark("HTTP routing: http-request rules and use_backend by path and Host") { benchmark in
        for _ in benchmark.scaledIterations {
            var head = parsed
            var context = SampleContext(connection: connection, payload: ByteBuffer(), isFinal: true, request: head)
            blackHole(table.frontends[0].httpRequestRules.apply(to: &head, &context))
            blackHole(table.frontends[0].chooseBackend(&context, backendsByName: table.backendsByName))
        }
    }

    let hello = ClientHelloFixture.bytes(serverName: "pump2.thisshitistemp.com")
    let parser = ClientHelloParser()
    Benchmark("ClientHello: parse for SNI") { benchmark in
        for _ in benchmark.scaledIterations {
            hello.withUnsafeBytes { blackHole(parser.parse($0)) }
        }
    }
}

/// A TLS 1.2 ClientHello with one server name, built by hand.
enum ClientHelloFixture {
    static func bytes(serverName: String) -> [UInt8] {
        func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        let name = Array(serverName.utf8)
        let sniEntry = [0x00] + u16(name.count) + name
        let sniList = u16(sniEntry.count) + sniEntry
        let sniExtension = u16(0x0000) + u16(sniList.count) + sniList
        let extensions = u16(sniExtension.count) + sniExtension
        var body: [UInt8] = u16(0x0303) + [UInt8](repeating: 7, count: 32) + [0x00]
        body += u16(2) + u16(0x002F) + [0x01, 0x00] + extensions
        let handshake = [0x01, 0x00] + u16(body.count) + body
        return [0x16] + u16(0x0301) + u16(handshake.count) + handshake
    }
}
