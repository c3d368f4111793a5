import Foundation
import NIOConcurrencyHelpers
import Testing

/// Malformed, ambiguous and smuggling requests through HAProxy and usher, each in front of a
/// recording origin: the expected status, nothing of a rejected request at the origin, and the
/// proxy still serving a normal request on a new connection afterwards. Plus a slowloris client.
///
/// `USHER_DIFF_ONLY_HAPROXY=1` runs the HAProxy side only; `USHER_DIFF_SCENARIO=text` picks cases.
@Suite(.serialized, .enabled(if: StatsTestSupport.haproxyRequired, "needs /usr/sbin/haproxy"))
struct MalformedRequestTests {
    /// The seed's :80 path; `timeout http-request 2s` bounds a request a proxy waits on.
    static let configuration = SeedHTTPConfiguration.template(defaults: SeedHTTPConfiguration.defaults(httpRequest: "2s"))

    /// What must hold for an outcome: the malformed request's fate, then a normal request served.
    static func checks(_ outcome: MalformedRequestCase.Outcome) -> [ObservationCheck] {
        let afterwards: [ObservationCheck] = [.statuses([200], client: 1), .someOriginReceived("GET /after HTTP/1.1")]
        switch outcome {
        case .rejected(let status):
            return [.statuses([status]), .nothingForwarded(fromClient: 0), .clientEnd(.closed)] + afterwards
        case .forwarded(let checks):
            return checks + afterwards
        }
    }

    @Test(arguments: MalformedRequestCases.all)
    func malformed(_ request: MalformedRequestCase) {
        guard DifferentialSettings.selected(request.name) else { return }
        // The second client only shows the proxy still serves: no need to watch its connection.
        let scenario = DifferentialScenario(
            request.name, Self.configuration, clients: [[.send(request.request)], [.send(Request.get("/after"))]],
            responses: [1, 1], checks: [], closeWatch: [0.3, 0])
        for (kind, result) in DifferentialRunner.observeAll(scenario) {
            let outcome = kind == .haproxy ? request.haproxy : request.usher
            switch result {
            case .success(let observation):
                if DifferentialSettings.verbose { print("=== \(request.name) — \(kind)\n\(observation.report)") }
                let failed = DifferentialRunner.failures(Self.checks(outcome), observation)
                if !failed.isEmpty {
                    var message = "\(request.name): \(kind) should have \(outcome):\n  " + failed.joined(separator: "\n  ")
                    if kind == .usher, let difference = request.difference { message += "\n(usher differs from HAProxy 2.6 here: \(difference))" }
                    Issue.record(Comment(rawValue: message + "\nobserved:\n\(observation.report)"))
                }
            case .failure(let error):
                Issue.record(Comment(rawValue: "\(request.name): \(kind) could not run the case: \(error)"))
            }
        }
    }

    @Test func casesAreEnoughAndNamedOnce() {
        let names = MalformedRequestCases.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count >= 20)
    }

    /// A client sending its head one byte a second gets 408 once `timeout http-request` (2s) has
    /// passed, while another client is served meanwhile; nothing of the slow one reaches the origin.
    @Test(arguments: DifferentialSettings.kinds)
    func slowlorisGets408WhileOthersAreServed(_ kind: ProxyKind) throws {
        let run = try ProxyRun(kind, template: Self.configuration, replies: [.ok])
        defer { run.stop() }
        let started = Date()
        let slow = try HTTPClientConnection(port: run.port)

        // The other client, on its own thread, half a second into the slow one's head.
        let other = NIOLockedValueBox<(statuses: [Int], problems: [String], seconds: Double)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let port = run.port
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.5)
            let began = Date()
            defer { done.signal() }
            guard let connection = try? HTTPClientConnection(port: port) else {
                other.withLockedValue { $0 = ([], ["could not connect"], 0) }
                return
            }
            connection.run([.send(Request.get("/fast"))])
            connection.collect(finalResponses: 1, timeout: 3, grace: 0)
            let statuses = connection.finalResponses.map(\.status)
            other.withLockedValue { $0 = (statuses, connection.problems, Date().timeIntervalSince(began)) }
        }

        slow.run([.drip(Request.get("/slow"), interval: 1, limit: 3.5)])
        slow.collect(finalResponses: 1, timeout: 3, grace: 0.5)
        let elapsed = Date().timeIntervalSince(started)
        _ = done.wait(timeout: .now() + 5)

        let served = other.withLockedValue { $0 }
        #expect(served?.statuses == [200], "\(kind): the other client: \(String(describing: served))")
        #expect((served?.seconds ?? 99) < 1, "\(kind): the other client waited \(served?.seconds ?? -1)s")
        #expect(slow.finalResponses.map(\.status) == [408], "\(kind): the slow client got \(slow.finalResponses.map(\.startLine)), problems \(slow.problems)")
        #expect(slow.end == .closed, "\(kind): the slow client's connection was \(slow.end.rawValue)")
        #expect(elapsed > 1.5 && elapsed < 3.5, "\(kind): 408 after \(elapsed)s, expected about 2s")
        let lines = run.origins[0].requests.map(\.message.startLine)
        #expect(lines == ["GET /fast HTTP/1.1"], "\(kind): the origin received \(lines)")
    }
}
