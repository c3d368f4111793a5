import Foundation
import NIOCore
import NIOPosix
import Glibc

/// The `usher` executable started as its own process, its output collected as it comes.
final class UsherProcess: @unchecked Sendable {
    struct Result {
        var status: Int32?
        var output: String
        var error: String

        var alertLines: [String] { error.split(separator: "\n").map(String.init).filter { $0.hasPrefix("[ALERT] ") } }
        var warningLines: [String] { error.split(separator: "\n").map(String.init).filter { $0.hasPrefix("[WARNING] ") } }
        var lastErrorLine: String? { error.split(separator: "\n").last.map(String.init) }
    }

    private let process = Process()
    private let lock = NSLock()
    private var outputData = Data()
    private var errorData = Data()
    private let readers = DispatchGroup()

    convenience init(_ arguments: [String], environment: [String: String] = [:]) throws {
        try self.init(executable: UsherExecutable.path, arguments: arguments, standardInput: FileHandle.nullDevice, environment: environment)
    }

    /// usher started through `/bin/sh`, as VTest starts haproxy, with `descriptor` (a socket the
    /// test made, say) as the process's descriptor `number`, and `environment` added to its own.
    convenience init(_ arguments: [String], inheriting descriptor: Int32, as number: Int32, environment: [String: String] = [:]) throws {
        try self.init(program: UsherExecutable.path, arguments, inheriting: descriptor, as: number, environment: environment)
    }

    /// Another program (HAProxy, for a comparison) started the same way.
    convenience init(program: String, _ arguments: [String], inheriting descriptor: Int32, as number: Int32, environment: [String: String] = [:]) throws {
        // The descriptor comes in as standard input (Foundation closes every other one), and the
        // shell moves it to its number before starting usher.
        try self.init(
            executable: "/bin/sh",
            arguments: ["-c", "exec \(number)<&0 </dev/null; exec \"$0\" \"$@\"", program] + arguments,
            standardInput: FileHandle(fileDescriptor: descriptor, closeOnDealloc: false),
            environment: environment)
    }

    /// usher with its open-file limit, soft and hard, set to `openFileLimit` by prlimit(1), which
    /// then execs it: the process (and its pid) is usher's.
    convenience init(_ arguments: [String], openFileLimit: Int) throws {
        try self.init(
            executable: ExternalProcess.locate("prlimit") ?? "/usr/bin/prlimit",
            arguments: ["--nofile=\(openFileLimit):\(openFileLimit)", UsherExecutable.path] + arguments,
            standardInput: FileHandle.nullDevice, environment: [:])
    }

    private init(executable: String, arguments: [String], standardInput: FileHandle, environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = standardInput
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        collect(output.fileHandleForReading, isError: false)
        collect(error.fileHandleForReading, isError: true)
    }

    /// Runs usher to its end (killed after `timeout` seconds).
    static func run(_ arguments: [String], timeout: Double = 30) throws -> Result {
        let usher = try UsherProcess(arguments)
        defer { usher.stop() }
        let status = usher.waitForExit(timeout: timeout)
        return Result(status: status, output: usher.output, error: usher.error)
    }

    private func collect(_ handle: FileHandle, isError: Bool) {
        readers.enter()
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.lock()
                if isError { errorData.append(data) } else { outputData.append(data) }
                lock.unlock()
            }
            readers.leave()
        }
        thread.start()
    }

    var pid: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var output: String { lock.lock(); defer { lock.unlock() }; return String(decoding: outputData, as: UTF8.self) }
    var error: String { lock.lock(); defer { lock.unlock() }; return String(decoding: errorData, as: UTF8.self) }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Waits until `text` has appeared on stdout.
    func waitForOutput(_ text: String, timeout: Double) -> Bool {
        CommandLineTests.waitUntil(timeout: timeout) { output.contains(text) || !isRunning } && output.contains(text)
    }

    /// The exit status once the process has ended and its output has been read (nil: still running
    /// after `timeout` seconds, or ended by a signal).
    func waitForExit(timeout: Double) -> Int32? {
        guard CommandLineTests.waitUntil(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        // The pipes reach their end once every holder of the write ends is gone (a daemon child lets
        // go of them when it detaches).
        _ = readers.wait(timeout: .now() + 5)
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// The exit status of a launcher that leaves a daemon behind, without reaping it. Foundation's
    /// `Process` on Linux learns of the exit through a socket the child inherits; the daemon inherits
    /// it too, so `isRunning` stays true for as long as the daemon lives. `waitid(WNOWAIT)` sees the
    /// exit itself and leaves the reaping to Foundation. Nil: still running after `timeout` seconds,
    /// or ended by a signal.
    func waitForLauncherExit(timeout: Double) -> Int32? {
        var status: Int32?
        var ended = false
        _ = CommandLineTests.waitUntil(timeout: timeout) {
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | WNOHANG) == 0 else {
                // Reaped already: Foundation knows the status.
                guard !process.isRunning else { return false }
                ended = true
                status = process.terminationReason == .exit ? process.terminationStatus : nil
                return true
            }
            guard info._sifields._sigchld.si_pid == pid else { return false }
            ended = true
            status = info.si_code == CLD_EXITED ? info._sifields._sigchld.si_status : nil
            return true
        }
        if ended { _ = readers.wait(timeout: .now() + 5) }
        return status
    }

    /// Kills the process if it is still running and reaps it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
    }
}

/// A temporary directory, removed when the value goes away.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "usher-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (subdirectories created) and returns its full path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
