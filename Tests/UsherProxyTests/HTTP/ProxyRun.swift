import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The two proxies the HTTP tests run the same configuration through.
enum ProxyKind: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Debian's HAProxy (2.6), /usr/sbin/haproxy: the reference.
    case haproxy
    /// The `usher` executable built next to the tests.
    case usher

    var description: String { self == .haproxy ? "HAProxy" : "usher" }
}

/// Switches for the differential suites, from the environment.
enum DifferentialSettings {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `USHER_DIFF_ONLY_HAPROXY=1`: run and check every scenario against HAProxy only (the
    /// expectations written in the tables are still asserted), for when usher is not ready.
    static var onlyHAProxy: Bool { environment["USHER_DIFF_ONLY_HAPROXY"] == "1" }

    /// `USHER_DIFF_VERBOSE=1`: print what each proxy's origin and client saw.
    static var verbose: Bool { environment["USHER_DIFF_VERBOSE"] == "1" }

    /// `USHER_DIFF_SCENARIO=text`: run only the cases whose name contains `text`.
    static func selected(_ name: String) -> Bool {
        guard let filter = environment["USHER_DIFF_SCENARIO"], !filter.isEmpty else { return true }
        return name.localizedCaseInsensitiveContains(filter)
    }

    /// The proxies to run, HAProxy first.
    static var kinds: [ProxyKind] { onlyHAProxy ? [.haproxy] : [.haproxy, .usher] }

    static var haproxyAvailable: Bool { ExternalProcess.exists("haproxy") }
}

/// One proxy process running a configuration template, with its own recording origins.
///
/// The template's placeholders: `{{PORT}}` the listening port; `{{ORIGIN0}}`, `{{ORIGIN1}}`, … the
/// addresses of origins started for this run (as many as the template names); `{{DEAD}}` an
/// address on 127.0.0.1 where nothing listens.
final class ProxyRun {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let kind: ProxyKind
    let port: Int
    let origins: [RecordingOrigin]
    let deadPort: Int
    let configuration: String
    private let directory: ScratchDirectory
    private var haproxy: Process?
    private var usher: UsherProcess?

    init(_ kind: ProxyKind, template: String, replies: [RecordingOrigin.Reply]) throws {
        self.kind = kind
        directory = try ScratchDirectory()
        let count = Self.originCount(in: template)
        origins = try (0..<count).map { try RecordingOrigin(name: "origin\($0)", replies: replies) }
        port = freePort()
        deadPort = freePort()
        var text = template.replacingOccurrences(of: "{{PORT}}", with: "\(port)")
            .replacingOccurrences(of: "{{DEAD}}", with: "127.0.0.1:\(deadPort)")
        for (index, origin) in origins.enumerated() {
            text = text.replacingOccurrences(of: "{{ORIGIN\(index)}}", with: origin.address)
        }
        // HAProxy 2.6 refuses a last line without its newline.
        configuration = text.hasSuffix("\n") ? text : text + "\n"
        let file = try directory.write("\(kind.rawValue).cfg", configuration)
        switch kind {
        case .haproxy:
            haproxy = try ExternalProcess.start(["haproxy", "-db", "-f", file], logFile: directory.path + "/haproxy.log")
        case .usher:
            usher = try UsherProcess(["-db", "-f", file])
        }
        guard ClientSocket.waitUntilAccepting(port, timeout: 10, alive: { isRunning }) else {
            let log = self.log
            stop()
            throw Failure(description: "\(kind) did not start listening on 127.0.0.1:\(port):\n\(log)\nconfiguration:\n\(configuration)")
        }
    }

    static func originCount(in template: String) -> Int {
        var count = 0
        while template.contains("{{ORIGIN\(count)}}") { count += 1 }
        return count
    }

    /// What the proxy printed.
    var log: String {
        switch kind {
        case .haproxy: (try? String(contentsOfFile: directory.path + "/haproxy.log", encoding: .utf8)) ?? ""
        case .usher: (usher.map { $0.output + $0.error }) ?? ""
        }
    }

    var isRunning: Bool {
        haproxy?.isRunning ?? usher?.isRunning ?? false
    }

    /// The run's own ports replaced by their placeholders, so two runs compare equal.
    var normalizer: @Sendable (String) -> String {
        let port = port, deadPort = deadPort, originAddresses = origins.map(\.address)
        return { text in
            var result = text.replacingOccurrences(of: "127.0.0.1:\(port)", with: "127.0.0.1:{{PORT}}")
                .replacingOccurrences(of: "127.0.0.1:\(deadPort)", with: "{{DEAD}}")
            for (index, address) in originAddresses.enumerated() {
                result = result.replacingOccurrences(of: address, with: "{{ORIGIN\(index)}}")
            }
            return result
        }
    }

    func stop() {
        if let haproxy, haproxy.isRunning {
            haproxy.terminate()
            haproxy.waitUntilExit()
        }
        haproxy = nil
        usher?.stop()
        usher = nil
        for origin in origins { origin.stop() }
    }

    deinit {
        stop()
    }
}
