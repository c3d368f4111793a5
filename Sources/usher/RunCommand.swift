import ArgumentParser
import Foundation
import Logging
import UsherConfig
import UsherProxy

/// `usher -f FILE…` (run) and `usher -c -f FILE…` (check), with HAProxy's flags.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or with -c, check) a configuration. This is the default command.",
        discussion: DebugSwitches.help
    )

    @Option(name: .customShort("f"), help: "A configuration file, or a directory whose *.cfg files are read in lexical order. Repeatable.")
    var files: [String] = []

    @Flag(name: .customShort("c"), help: "Check the configuration and exit: 0 if valid, 1 if not.")
    var checkOnly = false

    @Flag(name: .customShort("D"), help: "Start in the background (daemon mode).")
    var daemon = false

    @Flag(name: .customLong("db", withSingleDash: true), help: "Stay in the foreground even if the configuration says 'daemon'.")
    var foreground = false

    @Option(name: .customShort("p"), help: "Write the process id to this file.")
    var pidfile: String?

    @Flag(name: .customShort("q"), help: "Quiet: print no warnings at start.")
    var quiet = false

    @Flag(name: .customShort("v"), help: "Print the version and exit; -vv also prints the build's features, as haproxy -vv.")
    var version: Int

    @Flag(name: .customShort("W"), help: "Master-worker mode: a master runs the proxy in a worker and replaces it on SIGUSR2 or SIGHUP without refusing a connection.")
    var masterWorker = false

    @Flag(name: .customLong("Ws", withSingleDash: true), help: "Master-worker mode with systemd notifications (Type=notify).")
    var masterWorkerSystemd = false

    @Option(name: .customLong("usher-worker-socket"), help: .hidden)
    var workerSocket: String?

    @Option(name: .customShort("S"), help: "Master-worker mode: the master CLI's address, a path or HOST:PORT, then ',option,value' pairs (mode, uid, gid, user, group, level): show proc, reload, and '@N' or '@!PID' before a command for a worker.")
    var masterSocket: String?

    @Option(name: .customShort("L"), help: "This instance's name in 'peers' sections (default: 'localpeer', else the host name).")
    var localPeerName: String?

    @Option(name: .customLong("cc", withSingleDash: true), parsing: .unconditional, help: "Evaluate a condition as HAProxy's '.if' reads it (feature(NAME), version_atleast(V), defined(VAR), streq(A,B), !, &&, ||) and exit: 0 if true, 1 if false, 2 if malformed. usher answers as HAProxy 2.6 with -vv's features.")
    var condition: String?

    /// HAProxy's `-d…` switches, rewritten by `DebugSwitches.rewrite` (their help is in the discussion).
    @Option(name: .customLong(DebugSwitches.optionName), help: .hidden)
    var debugSwitchWords: [String] = []

    @Option(name: .customShort("x"), help: "Take the listening sockets over from the process whose runtime API (a 'stats socket … expose-fd listeners') is at this path.")
    var takeOverSocket: String?

    @Option(name: .customLong("sf", withSingleDash: true), parsing: .upToNextOption, help: "Once listening, tell these processes to finish their connections and exit (SIGUSR1).")
    var softStopPIDs: [Int32] = []

    @Option(name: .customLong("st", withSingleDash: true), parsing: .upToNextOption, help: "Once listening, stop these processes at once (SIGTERM).")
    var hardStopPIDs: [Int32] = []

    func run() throws {
        let switches: DebugSwitches
        do {
            switches = try DebugSwitches(words: debugSwitchWords)
        } catch {
            throw ValidationError("\(error)")
        }
        if let condition {
            do {
                let holds = try ConditionExpression.evaluate(line: condition, in: BuildReport().conditionContext(environment: ProcessInfo.processInfo.environment))
                throw ExitCode(holds ? 0 : 1)
            } catch let error as ConditionExpression.EvaluationError {
                FileHandle.standardError.write(Data("[ALERT] failed to evaluate condition: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        if version == 1 {
            print("usher version \(UsherVersion.current) - a reverse proxy that runs HAProxy configurations")
            return
        }
        if version > 1 {
            print(BuildReport().text, terminator: "")
            return
        }
        var loader = ConfigurationLoader()
        loader.localPeerName = localPeerName
        let result = loader.load(paths: files)
        let showWarnings = !quiet && !(result.table?.configuration.global.quiet ?? false)
        for diagnostic in result.diagnostics where diagnostic.severity == .alert || showWarnings {
            FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
        }
        guard let table = result.table else {
            if checkOnly {
                FileHandle.standardError.write(Data("[ALERT] Fatal errors found in configuration.\n".utf8))
            }
            throw ExitCode(1)
        }
        if switches.zeroWarning, !result.warnings.isEmpty {
            FileHandle.standardError.write(Data("[ALERT] Some warnings were found and -dW (zero-warning) is set: not starting.\n".utf8))
            throw ExitCode(1)
        }
        if checkOnly {
            print("Configuration file is valid")
            return
        }
        var options = ProcessOptions(configuration: table.configuration)
        if daemon { options.daemon = true }
        if foreground || switches.debug { options.daemon = false }
        options.debugOutput = switches.debug
        if let pidfile { options.pidfile = pidfile }
        if workerSocket == nil, masterWorker || masterWorkerSystemd || table.configuration.global.masterWorker {
            // The master: the workers are this same program with the worker's flags.
            var logger = Logger(label: "usher")
            logger.logLevel = .info
            let master = try MasterWorker(
                files: files, quiet: quiet, systemd: masterWorkerSystemd, localPeerName: localPeerName, masterSocket: masterSocket, logger: logger)
            let status = master.run(pidfile: options.pidfile)
            if status != 0 { throw ExitCode(status) }
            return
        }
        options.takeOverSocket = takeOverSocket
        options.handOverSocket = workerSocket
        if workerSocket != nil {
            // A worker: the master has the pid file and stays in the foreground for it.
            options.daemon = false
            options.pidfile = nil
        }
        options.configurationFiles = files
        options.localPeerName = localPeerName
        options.quiet = !showWarnings
        options.softStopPIDs = softStopPIDs
        options.hardStopPIDs = hardStopPIDs
        do {
            try ProcessRunner(table: table, options: options).run()
        } catch let failure as ProcessRunner.Failure {
            // As HAProxy: the [ALERT] line alone, not behind ArgumentParser's "Error: ".
            FileHandle.standardError.write(Data((failure.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
