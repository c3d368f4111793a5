import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// usher started as VTest (HAProxy's regression-test harness) starts haproxy: through `/bin/sh`,
/// with `-d` and `-dM`, listeners and the runtime API on sockets it inherits (`fd@N`, the number in
/// an environment variable), `-L NAME`, and stopped with SIGINT.
@Suite(.serialized)
struct HarnessStartTests {
    // MARK: - -d… switches

    @Test func debugSwitchesAreAccepted() throws {
        let directory = try ScratchDirectory()
        let configuration = try directory.write("usher.cfg", CommandLineTests.tcpConfiguration(port: 9, backendPort: 9))
        let switches = ["-dM", "-dM0x55,no-merge", "-dI", "-dD", "-dG", "-dKall", "-dL", "-dS", "-dV", "-de", "-dk", "-dp", "-dr", "-L", "A"]
        let result = try UsherProcess.run(["-c"] + switches + ["-f", configuration])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "Configuration file is valid\n", "\(result.output)")
        // HAProxy's regression runner asks for the version with its arguments in front.
        let version = try UsherProcess.run(["-dM", "-vv"])
        #expect(version.status == 0, "\(version.error)")
        #expect(version.output.contains("HAProxy version"), "\(version.output)")
    }

    @Test(arguments: ["-dZ", "-dWx", "-dSfoo"])
    func unknownDebugSwitchIsRefused(word: String) throws {
        let result = try UsherProcess.run(["-c", word, "-f", "/nonexistent.cfg"])
        #expect(result.status != 0)
        #expect(result.error.contains("unknown debug switch '\(word)'"), "\(result.error)")
    }

    @Test func aFileNamedLikeASwitchIsStillAFile() throws {
        let directory = try ScratchDirectory()
        _ = try directory.write("-dfile.cfg", CommandLineTests.tcpConfiguration(port: 9, backendPort: 9))
        let result = try UsherProcess.run(["-c", "-f", directory.path + "/-dfile.cfg"])
        #expect(result.status == 0, "\(result.error)")
    }

    @Test func zeroWarningRefusesAConfigurationWithAWarning() throws {
        let directory = try ScratchDirectory()
        // No timeouts: HAProxy (and usher) warn about that.
        let warned = try directory.write("warned.cfg", "frontend fe\n    mode tcp\n    bind 127.0.0.1:9\n    default_backend be\nbackend be\n    mode tcp\n    server s 127.0.0.1:9\n")
        let refused = try UsherProcess.run(["-c", "-dW", "-f", warned])
        #expect(refused.status == 1, "\(refused.error)")
        #expect(refused.error.contains("[WARNING]"), "\(refused.error)")
        #expect(refused.error.contains("-dW (zero-warning)"), "\(refused.error)")
        #expect(try UsherProcess.run(["-c", "-f", warned]).status == 0)
        let clean = try directory.write("clean.cfg", CommandLineTests.tcpConfiguration(port: 9, backendPort: 9))
        #expect(try UsherProcess.run(["-c", "-dW", "-f", clean]).status == 0)
    }

    @Test(arguments: [["run", "--help"], ["--help"]])
    func helpExplainsEachDebugSwitch(arguments: [String]) throws {
        let result = try UsherProcess.run(arguments)
        for needle in ["-d ", "-dM", "-dW", "-dD", "-dG", "-dI", "-dK", "-dL", "-dS", "-dV", "-de, -dk, -dp", "-dr"] + (arguments.count == 2 ? ["-L <L>"] : []) {
            #expect(result.output.contains(needle), "\(needle) missing from: \(result.output)")
        }
    }

    @Test func debugFlagStaysInTheForegroundEvenWithDaemonInTheFile() throws {
        let backend = try TCPBackend(name: "backend-d", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let port = freePort()
        let configuration = try directory.write("usher.cfg", CommandLineTests.tcpConfiguration(port: port, backendPort: backend.port, global: ["daemon"]))
        let usher = try UsherProcess(["-d", "-dM", "-f", configuration])
        defer { usher.stop() }
        #expect(waitUntilListening(port, timeout: 10), "usher is not listening: \(usher.error)")
        #expect(usher.isRunning, "-d must keep usher in the foreground")
        #expect(try CommandLineTests.exchange(port: port) == "backend-d")
        usher.signal(SIGINT)
        #expect(usher.waitForExit(timeout: 5) == 0, "\(usher.error)")
    }

    // MARK: - fd@N

    @Test func bindOnAnInheritedSocket() throws {
        let backend = try TCPBackend(name: "backend-fd", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let listener = try ListeningSocket()
        let directory = try ScratchDirectory()
        let configuration = try directory.write("usher.cfg", """
            defaults
                mode tcp
                timeout client 30s
                timeout server 30s
                timeout connect 5s
            frontend fe
                bind "fd@${fe1}"
                default_backend be
            backend be
                server s1 127.0.0.1:\(backend.port)

            """)
        let usher = try UsherProcess(["-d", "-dM", "-f", configuration], inheriting: listener.descriptor, as: 5, environment: ["fe1": "5"])
        listener.close()
        defer { usher.stop() }
        // The socket listened before usher started: the connection waits in its queue.
        #expect(try CommandLineTests.exchange(port: listener.port) == "backend-fd", "\(usher.error)")
        #expect(usher.isRunning)
        usher.signal(SIGINT)
        #expect(usher.waitForExit(timeout: 5) == 0, "\(usher.error)")
    }

    @Test func runtimeAPIOnAnInheritedSocket() throws {
        let listener = try ListeningSocket()
        let directory = try ScratchDirectory()
        let configuration = try directory.write(
            "usher.cfg", "global\n    stats socket \"fd@${cli}\" level admin\n" + CommandLineTests.tcpConfiguration(port: freePort(), backendPort: 9))
        let usher = try UsherProcess(["-d", "-f", configuration], inheriting: listener.descriptor, as: 6, environment: ["cli": "6"])
        listener.close()
        defer { usher.stop() }
        let client = try RawClient(port: listener.port, timeout: 10)
        try client.send("show info\n")
        let answer = try client.receiveLine()
        #expect(answer.hasPrefix("Name: "), "\(answer) / \(usher.error)")
        usher.signal(SIGINT)
        #expect(usher.waitForExit(timeout: 5) == 0, "\(usher.error)")
    }

    @Test func bindOnADescriptorThatIsNotASocketIsAnAlert() throws {
        let directory = try ScratchDirectory()
        let notASocket = try directory.write("plain.txt", "not a socket\n")
        let file = open(notASocket, O_RDONLY)
        defer { close(file) }
        let configuration = try directory.write("usher.cfg", """
            defaults
                mode tcp
                timeout client 30s
                timeout server 30s
                timeout connect 5s
            frontend fe
                bind fd@5
                default_backend be
            backend be
                server s1 127.0.0.1:9

            """)
        let notOpen = try UsherProcess.run(["-d", "-f", configuration])
        #expect(notOpen.status == 1, "\(notOpen.error)")
        #expect(notOpen.error.contains("[ALERT]") && notOpen.error.contains("fd@5 is not an open file descriptor"), "\(notOpen.error)")
        #expect(notOpen.error.contains("\(configuration):7"), "the bind line: \(notOpen.error)")
        // With -c, nothing is opened: the descriptor need not exist.
        #expect(try UsherProcess.run(["-c", "-f", configuration]).status == 0)

        let usher = try UsherProcess(["-d", "-f", configuration], inheriting: file, as: 5)
        defer { usher.stop() }
        #expect(usher.waitForExit(timeout: 10) == 1, "\(usher.error)")
        #expect(usher.error.contains("fd@5 is not a socket"), "\(usher.error)")
    }
}

/// A TCP socket listening on 127.0.0.1, made with plain system calls (not SwiftNIO, which would
/// accept on it), to hand to a usher process.
final class ListeningSocket {
    private(set) var descriptor: Int32
    let port: Int

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let fd = descriptor
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw Failure(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// The test's copy; the process it was handed to keeps its own.
    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    deinit { close() }
}

/// `-cc CONDITION`, as VTest's `feature cmd "$HAPROXY_PROGRAM -cc '…'"` lines ask it.
@Suite struct ConditionFlagTests {
    @Test(arguments: [
        ("version_atleast(2.5-dev0)", Int32(0)), ("feature(OPENSSL)", 0), ("feature(LUA)", 1),
        ("feature(OPENSSL) && ssllib_name_startswith(OpenSSL)", 1), ("defined(PATH)", 0), ("nonsense(", 2),
        // A condition that starts with a dash is still the condition, not a flag.
        ("-1000 && 200", 0), ("", 1),
    ])
    func exitStatusSaysWhetherTheConditionHolds(condition: String, status: Int32) throws {
        let result = try UsherProcess.run(["-dM", "-cc", condition])
        #expect(result.status == status, "\(condition): \(result.error)")
        #expect(result.output.isEmpty)
        if status == 2 { #expect(result.error.contains("[ALERT] failed to evaluate condition"), "\(result.error)") }
    }
}
