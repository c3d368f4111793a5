import Foundation
import NIOConcurrencyHelpers
import Testing

/// One HTTP behaviour to run through HAProxy and usher: a configuration template (see `ProxyRun`
/// for its placeholders), what the clients send (one connection after the other), what the
/// origins answer, what HAProxy 2.6 is known to do (`checks`), and where usher deliberately
/// differs (`deviations`, `usherChecks`).
struct DifferentialScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var configuration: String
    /// Each client's steps; clients run one after the other, each on its own connection.
    var clients: [[ClientStep]]
    var replies: [RecordingOrigin.Reply] = [.ok]
    /// Final responses to wait for, per client (default: as many as the client sent requests).
    var responses: [Int]? = nil
    /// What HAProxy 2.6 does, and usher must do too.
    var checks: [ObservationCheck]
    /// When usher is meant to behave otherwise: its checks instead of `checks`.
    var usherChecks: [ObservationCheck]? = nil
    /// Lines of the observation not compared, with why.
    var deviations: [Deviation] = []
    /// Seconds to wait for each client's responses.
    var timeout: Double = 3
    /// Seconds to watch, per client, whether the proxy closes the connection after the last
    /// response (default 0.3 each); 0 when it does not matter.
    var closeWatch: [Double]? = nil

    var testDescription: String { name }

    init(
        _ name: String, _ configuration: String, clients: [[ClientStep]], replies: [RecordingOrigin.Reply] = [.ok],
        responses: [Int]? = nil, checks: [ObservationCheck], usherChecks: [ObservationCheck]? = nil,
        deviations: [Deviation] = [], timeout: Double = 3, closeWatch: [Double]? = nil
    ) {
        self.closeWatch = closeWatch
        self.name = name
        self.configuration = configuration
        self.clients = clients
        self.replies = replies
        self.responses = responses
        self.checks = checks
        self.usherChecks = usherChecks
        self.deviations = deviations
        self.timeout = timeout
    }

    /// A scenario with a single client that sends `request` in one write.
    init(
        _ name: String, _ configuration: String, send request: String, replies: [RecordingOrigin.Reply] = [.ok],
        responses: Int? = nil, checks: [ObservationCheck], usherChecks: [ObservationCheck]? = nil,
        deviations: [Deviation] = [], timeout: Double = 3, closeWatch: Double? = nil
    ) {
        self.init(
            name, configuration, clients: [[.send(request)]], replies: replies, responses: responses.map { [$0] },
            checks: checks, usherChecks: usherChecks, deviations: deviations, timeout: timeout, closeWatch: closeWatch.map { [$0] })
    }
}

/// Runs scenarios through the proxies and judges what they did.
enum DifferentialRunner {
    /// Runs `scenario` through `kind` and records what the origins and the clients saw.
    static func observe(_ scenario: DifferentialScenario, on kind: ProxyKind) throws -> Observation {
        let run = try ProxyRun(kind, template: scenario.configuration, replies: scenario.replies)
        defer { run.stop() }
        var clients: [Observation.Client] = []
        for (index, steps) in scenario.clients.enumerated() {
            let connection = try HTTPClientConnection(port: run.port)
            connection.run(steps)
            let expected = scenario.responses.map { $0[index] } ?? HTTPClientConnection.requestCount(in: steps)
            connection.collect(finalResponses: expected, timeout: scenario.timeout, grace: scenario.closeWatch.map { $0[index] } ?? 0.3)
            for origin in run.origins { origin.settle() }
            clients.append(
                Observation.Client(
                    responses: connection.responses, end: connection.end, problems: connection.problems,
                    originBytesAfter: run.origins.map(\.totalBytesReceived)))
        }
        let origins = run.origins.map { origin in
            // Connections are numbered among those that brought bytes: a proxy may open others
            // (health checks; usher's TCP mode for the readiness probe).
            let carrying = origin.receivedPerConnection.enumerated().filter { !$0.element.isEmpty }.map(\.offset)
            let requests = origin.requests.map { request in
                RecordingOrigin.Request(connection: carrying.firstIndex(of: request.connection) ?? request.connection, message: request.message)
            }
            return Observation.Origin(
                name: origin.name, requests: requests, connections: carrying.count,
                bytes: origin.totalBytesReceived, unparsable: origin.unparsable)
        }
        if !run.isRunning {
            throw ProxyRun.Failure(description: "\(kind) is no longer running after the scenario:\n\(run.log)")
        }
        return Observation(proxy: kind, origins: origins, clients: clients, normalize: run.normalizer)
    }

    /// The checks `observation` fails, as messages.
    static func failures(_ checks: [ObservationCheck], _ observation: Observation) -> [String] {
        checks.compactMap { $0.failure(in: observation) }
    }

    /// Runs `scenario` through every proxy in `DifferentialSettings.kinds` at the same time (each
    /// has its own ports and origins), HAProxy first in the result.
    static func observeAll(_ scenario: DifferentialScenario) -> [(kind: ProxyKind, result: Result<Observation, any Error>)] {
        let kinds = DifferentialSettings.kinds
        let results = NIOLockedValueBox<[ProxyKind: Result<Observation, any Error>]>([:])
        let done = DispatchSemaphore(value: 0)
        for kind in kinds {
            Thread.detachNewThread {
                let result = Result { try observe(scenario, on: kind) }
                results.withLockedValue { $0[kind] = result }
                done.signal()
            }
        }
        for _ in kinds { done.wait() }
        let all = results.withLockedValue { $0 }
        return kinds.map { ($0, all[$0]!) }
    }

    /// Runs `scenario` through HAProxy (its checks must hold: they describe HAProxy 2.6) and,
    /// unless `USHER_DIFF_ONLY_HAPROXY=1`, through usher, which must pass the same checks (or its
    /// own) and show the same observation but for the declared deviations.
    static func verify(_ scenario: DifferentialScenario, sourceLocation: SourceLocation = #_sourceLocation) {
        var reference: Observation?
        for (kind, result) in observeAll(scenario) {
            let observation: Observation
            switch result {
            case .success(let value):
                observation = value
            case .failure(let error):
                Issue.record(Comment(rawValue: "\(scenario.name): \(kind) could not run the scenario: \(error)"), sourceLocation: sourceLocation)
                continue
            }
            if DifferentialSettings.verbose {
                print("=== \(scenario.name) — \(kind)\n\(observation.report)")
            }
            let checks = kind == .usher ? (scenario.usherChecks ?? scenario.checks) : scenario.checks
            let failed = failures(checks, observation)
            if !failed.isEmpty {
                Issue.record(
                    Comment(rawValue: "\(scenario.name): \(kind) does not do what is expected:\n  " + failed.joined(separator: "\n  ") + "\nobserved:\n\(observation.report)"),
                    sourceLocation: sourceLocation)
            }
            if kind == .haproxy {
                reference = observation
            } else if let reference {
                let left = ObservationDiff.comparable(reference.lines, scenario.deviations)
                let right = ObservationDiff.comparable(observation.lines, scenario.deviations)
                if let diff = ObservationDiff.diff(left, right, leftName: "HAProxy", rightName: "usher") {
                    Issue.record(Comment(rawValue: "\(scenario.name): usher differs from HAProxy:\n\(diff)"), sourceLocation: sourceLocation)
                }
            }
        }
    }
}
