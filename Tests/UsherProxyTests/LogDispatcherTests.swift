import Foundation
import Glibc
import Testing
import UsherConfig
@testable import UsherProxy

/// The dispatcher never waits for a log target: a socket nobody reads fills up and the rest is
/// dropped and counted; a missing one is dropped, counted, and reached as soon as it exists.
@Suite(.serialized)
struct LogDispatcherTests {
    static func target(_ path: String, format: LogTarget.Format = .raw) -> LogTarget {
        LogTarget(
            destination: .unix(path: path), format: format, facility: .local0, level: .debug, minimumLevel: nil,
            maximumLength: 1024, location: UsherConfig.SourceLocation(file: "t.cfg", line: 2)
        )
    }

    /// A datagram socket bound at `path` that nobody reads.
    static func deafSocket(_ path: String) throws -> Int32 {
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        return socket
    }

    @Test func aTargetThatDoesNotReadNeverBlocksTheCaller() throws {
        let collector = try UnixSyslogCollector(bound: false)
        defer { collector.stop() }
        let socket = try Self.deafSocket(collector.path)
        defer { close(socket) }
        let dispatcher = LogDispatcher(tag: "usher")
        defer { dispatcher.shutdown() }
        let message = String(repeating: "x", count: 200)
        let count = 20_000
        let started = ContinuousClock.now
        for _ in 0..<count {
            dispatcher.log(message, level: .info, to: [Self.target(collector.path)])
        }
        let elapsed = ContinuousClock.now - started
        // The socket's queue takes what it can hold; every other message was dropped and counted,
        // none waited (this loop would hang forever on a blocking send).
        var queued = 0
        var buffer = [UInt8](repeating: 0, count: 2048)
        while recv(socket, &buffer, buffer.count, Int32(MSG_DONTWAIT)) > 0 { queued += 1 }
        #expect(queued > 0 && queued < count)
        #expect(dispatcher.droppedMessages == count - queued)
        print("LogDispatcher: \(count) messages to a deaf UNIX socket in \(elapsed), \(queued) queued, \(dispatcher.droppedMessages) dropped")
    }

    @Test func aMissingSocketIsReportedCountedAndReachedOnceItExists() async throws {
        let collector = try UnixSyslogCollector(bound: false)
        defer { collector.stop() }
        let dispatcher = LogDispatcher(tag: "usher")
        defer { dispatcher.shutdown() }
        let target = Self.target(collector.path)
        let problems = dispatcher.prepare([target])
        #expect(problems.count == 1 && problems.first?.1.contains("No such file or directory") == true, "\(problems)")
        dispatcher.log("lost", level: .info, to: [target])
        #expect(dispatcher.droppedMessages == 1)
        try collector.open()
        #expect(dispatcher.prepare([target]).isEmpty)
        dispatcher.log("found", level: .info, to: [target])
        #expect(try await collector.waitFor("found") == "found\n")
        #expect(dispatcher.droppedMessages == 1)
    }

    /// With `chroot`, the socket is looked for where usher will send to it: inside the chroot.
    @Test func withChrootTheSocketIsLookedForInsideIt() throws {
        let collector = try UnixSyslogCollector()
        defer { collector.stop() }
        let inside = Self.target("/log.sock")
        let chrooted = LogDispatcher(tag: "usher", chroot: collector.directory)
        defer { chrooted.shutdown() }
        #expect(chrooted.prepare([inside]).isEmpty)
        let plain = LogDispatcher(tag: "usher")
        defer { plain.shutdown() }
        #expect(plain.prepare([inside]).first?.1.contains("/log.sock (No such file or directory)") == true)
        let missing = LogDispatcher(tag: "usher", chroot: collector.directory + "/nowhere")
        defer { missing.shutdown() }
        let problem = missing.prepare([inside]).first?.1 ?? ""
        #expect(problem.contains("/log.sock (\(collector.directory)/nowhere/log.sock before the chroot)"), "\(problem)")
    }

    @Test func levelFilterAndSampleApplyPerTarget() async throws {
        let collector = try UnixSyslogCollector()
        defer { collector.stop() }
        let dispatcher = LogDispatcher(tag: "usher", sendHostname: .named("edge-1"))
        defer { dispatcher.shutdown() }
        var onlyErrors = Self.target(collector.path, format: .rfc5424)
        onlyErrors.level = .err
        var everyOther = Self.target(collector.path)
        everyOther.sample = LogSample(ranges: [1...1], size: 2)
        for n in 1...4 {
            dispatcher.log("m\(n)", level: n == 3 ? .err : .info, to: [onlyErrors, everyOther], scope: "fe")
        }
        // Another proxy counts its own sample.
        dispatcher.log("other1", level: .info, to: [everyOther], scope: "be")
        _ = try await collector.waitFor(4, containing: "\n")
        try await Task.sleep(for: .milliseconds(100))
        let lines = collector.received.sorted()
        #expect(lines.count == 4, "\(lines)")
        #expect(lines.contains("m1\n") && lines.contains("m3\n") && lines.contains("other1\n"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<131>1 ") && $0.contains(" edge-1 usher ") && $0.hasSuffix(" - - m3\n") }, "\(lines)")
    }
}
