import Foundation

/// Runs a real program (curl, openssl, haproxy…) and collects what it printed.
struct ExternalProcess {
    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Where a program is: the usual directories, /usr/sbin included (the test's PATH may lack it).
    static func locate(_ name: String) -> String? {
        ["/usr/local/bin/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"].map { $0 + name }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    static func exists(_ name: String) -> Bool {
        locate(name) != nil
    }

    /// Whether a test that needs `name` runs: always under `CI=true`, where a missing peer must fail
    /// the run instead of skipping its tests.
    static func required(_ name: String) -> Bool {
        ProcessInfo.processInfo.environment["CI"] == "true" || exists(name)
    }

    static func makeProcess(_ arguments: [String]) -> Process {
        let process = Process()
        if let first = arguments.first, let path = locate(first) {
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        return process
    }

    /// Runs `arguments` (the first is the program, found on the PATH), feeding `input`, and kills it
    /// after `timeout` seconds.
    static func run(_ arguments: [String], input: String? = nil, timeout: Double = 20) throws -> Result {
        let process = makeProcess(arguments)
        let output = Pipe(), error = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        return Result(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), error: String(decoding: errData, as: UTF8.self))
    }

    /// Starts a long-running program; the caller terminates it. Its output goes to `logFile` if given.
    static func start(_ arguments: [String], logFile: String? = nil) throws -> Process {
        let process = makeProcess(arguments)
        if let logFile {
            FileManager.default.createFile(atPath: logFile, contents: nil)
            let handle = FileHandle(forWritingAtPath: logFile)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// The built `usher` executable, next to the test bundle.
enum UsherExecutable {
    static var path: String {
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("usher").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url = url.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/usher").path
        return fallback
    }
}

/// Paths in the repository and beside it.
enum RepositoryPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let seedConfiguration = root.deletingLastPathComponent().appendingPathComponent("shared/seeds/seed-haproxy.cfg").path
}
