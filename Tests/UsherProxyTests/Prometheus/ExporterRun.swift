import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One proxy (HAProxy 2.6 or usher) running a configuration with the Prometheus exporter, in front
/// of a real lighttpd, for the exporter's end-to-end and differential tests.
///
/// The run owns `web`: stopping the run stops it.
///
/// Placeholders in the template: `{{PORT}}` the HTTP frontend's port, `{{TCP}}` a TCP frontend's,
/// `{{WEB}}` lighttpd's address, `{{DEAD}}` an address where nothing listens.
final class ExporterRun {
    let kind: ProxyKind
    let port: Int
    let tcpPort: Int
    let web: Lighttpd
    private let directory: ScratchDirectory
    private var haproxy: Process?
    private var usher: UsherProcess?
    private var webStopped = false

    /// Under CI a missing HAProxy or lighttpd fails the test instead of skipping it.
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    init(_ kind: ProxyKind, template: String, web: Lighttpd) throws {
        self.kind = kind
        self.web = web
        directory = try ScratchDirectory()
        port = freePort()
        tcpPort = freePort()
        let text = template.replacingOccurrences(of: "{{PORT}}", with: "\(port)")
            .replacingOccurrences(of: "{{TCP}}", with: "\(tcpPort)")
            .replacingOccurrences(of: "{{WEB}}", with: "127.0.0.1:\(web.port)")
            .replacingOccurrences(of: "{{DEAD}}", with: "127.0.0.1:\(freePort())")
        let file = try directory.write("\(kind.rawValue).cfg", text.hasSuffix("\n") ? text : text + "\n")
        switch kind {
        case .haproxy: haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
        case .usher: usher = try UsherProcess(["-db", "-f", file])
        }
        guard waitUntilListening(port, timeout: 10) else {
            // lighttpd is the caller's to stop when this initializer throws (deinit still runs).
            webStopped = true
            stopProxy()
            throw RawClient.Failure(description: "\(kind) did not start on port \(port)")
        }
    }

    /// One request on its own connection; the response as received (a chunked body decoded).
    func request(_ method: String = "GET", _ target: String) throws -> HTTPWire.Message {
        let client = try RawClient(port: port)
        try client.send("\(method) \(target) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let bytes = try client.receiveAll()
        guard case .complete(let message, _) = HTTPWire.parseResponse(bytes[...], requestMethod: method, atEnd: true) else {
            throw RawClient.Failure(description: "\(kind): no complete response to \(method) \(target): \(HTTPWire.printable(bytes))")
        }
        return message
    }

    /// The exporter's text for `query` (`?scope=…`).
    func scrape(_ query: String = "") throws -> String {
        let response = try request("GET", "/metrics" + query)
        guard response.status == 200 else { throw RawClient.Failure(description: "\(kind): /metrics\(query) answered \(response.status)") }
        return HTTPWire.text(response.body)
    }

    /// Known traffic: `ok` requests answered 200 by lighttpd, `missing` answered 404, each on its
    /// own connection, and `tcp` connections through the TCP frontend each carrying one request.
    func sendTraffic(ok: Int, missing: Int, tcp: Int) throws {
        for _ in 0..<ok { _ = try request("GET", "/index.html") }
        for index in 0..<missing { _ = try request("GET", "/nope\(index)") }
        for _ in 0..<tcp {
            let client = try RawClient(port: tcpPort)
            try client.send("GET /index.html HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            _ = try client.receiveAll()
        }
    }

    /// Scrapes until `sample` is in the text (health checks take a moment), or gives up.
    func scrape(until sample: String, seconds: Double = 8) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = try scrape()
        while !text.contains(sample) && Date() < deadline {
            usleep(200_000)
            text = try scrape()
        }
        return text
    }

    func stop() {
        stopProxy()
        if !webStopped {
            webStopped = true
            web.stop()
        }
    }

    private func stopProxy() {
        if let haproxy, haproxy.isRunning {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }
        haproxy = nil
        usher?.stop()
        usher = nil
    }

    deinit {
        stop()
    }
}

/// A scrape, read back: each sample's name, labels and value.
struct Exposition {
    struct Sample: Hashable {
        var name: String
        var labels: String
        var value: String
    }

    var helps: [String: String] = [:]
    var types: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 3)
            if line.hasPrefix("# HELP ") {
                helps[String(words[2])] = words.count > 3 ? String(words[3]) : ""
            } else if line.hasPrefix("# TYPE ") {
                types[String(words[2])] = String(words[3])
            } else if let space = line.lastIndex(of: " ") {
                let series = line[..<space]
                let brace = series.firstIndex(of: "{") ?? series.endIndex
                samples.append(Sample(name: String(series[..<brace]), labels: String(series[brace...]), value: String(line[line.index(after: space)...])))
            }
        }
    }

    /// `name{labels}` of every sample.
    var series: [String] { samples.map { $0.name + $0.labels } }

    /// The value of `name{labels}`, nil when there is no such sample.
    subscript(_ series: String) -> String? {
        samples.first { $0.name + $0.labels == series }?.value
    }
}
