/// The keywords usher understands in the `global` section.
enum GlobalKeywords {
    typealias Handler = @Sendable (ConfigurationLine, inout GlobalSettings) throws -> Void

    static let table: [String: Handler] = [
        "log": { line, global in
            if line.words.count == 2, line.words[1] == "global" {
                throw ConfigurationError("'log global' is only valid in a proxy or defaults section")
            }
            global.logTargets.append(try LogTargetParser.parse(line))
        },
        "log-tag": { line, global in global.logTag = try single(line) },
        "localpeer": { line, global in global.localPeer = try single(line) },
        "log-send-hostname": { line, global in
            switch line.words.count {
            case 1: global.logSendHostname = .system
            case 2: global.logSendHostname = .named(line.words[1])
            default: throw ConfigurationError("'log-send-hostname' expects at most one argument, the host name to send")
            }
        },
        "maxconn": { line, global in global.maxconn = try integer(line) },
        "stats": { line, global in try StatsGlobalKeywords.handle(line, into: &global) },
        "user": { line, global in global.user = try single(line) },
        "group": { line, global in global.group = try single(line) },
        "uid": { line, global in global.uid = try integer(line) },
        "gid": { line, global in global.gid = try integer(line) },
        "daemon": { line, global in
            try noArguments(line)
            global.daemon = true
        },
        "quiet": { line, global in
            try noArguments(line)
            global.quiet = true
        },
        "chroot": { line, global in global.chroot = try single(line) },
        "pidfile": { line, global in global.pidfile = try single(line) },
        "nbthread": { line, global in global.nbthread = try integer(line, in: 1...4096) },
        "master-worker": { line, global in
            guard line.words.count == 1 || (line.words.count == 2 && line.words[1] == "no-exit-on-failure") else {
                throw ConfigurationError("'master-worker' takes no argument but 'no-exit-on-failure'")
            }
            if line.words.count == 2 {
                throw ConfigurationError.notSupported("'master-worker no-exit-on-failure' (the master stops when its worker does)")
            }
            global.masterWorker = true
        },
        "ulimit-n": { line, global in global.fileDescriptorLimit = try integer(line, in: 1...Int(Int32.max)) },
        "cpu-map": { line, global in
            for (thread, cpus) in try CPUMapParser.parse(line.words.dropFirst()) { global.cpuMap[thread] = cpus }
        },
        "hard-stop-after": { line, global in global.hardStopAfter = try duration(line) },
        "grace": { line, global in global.grace = try duration(line) },
        "mworker-max-reloads": { line, global in global.masterWorkerMaxReloads = try integer(line, in: 0...Int(Int32.max)) },
        "tune.bufsize": { line, global in global.bufferSize = try integer(line, in: 1024...(1 << 24)) },
        "tune.maxrewrite": { line, global in global.maxRewrite = try integer(line, in: 0...(1 << 23)) },
        "tune.http.maxhdr": { line, global in global.maxHeaders = try integer(line, in: 1...32767) },
        // RFC 9113 §6.5.2 bounds the window and the frame size; HAProxy caps the table at 64 kB.
        "tune.h2.header-table-size": { line, global in global.http2.headerTableSize = try integer(line, in: 0...65536) },
        "tune.h2.initial-window-size": { line, global in global.http2.initialWindowSize = try integer(line, in: 0...Int(Int32.max)) },
        "tune.h2.max-concurrent-streams": { line, global in global.http2.maxConcurrentStreams = try integer(line, in: 0...Int(Int32.max)) },
        "tune.h2.max-frame-size": { line, global in global.http2.maxFrameSize = try integer(line, in: 16384...16_777_215) },
    ]

    /// Handles a line; returns a warning when the line is accepted but has no effect.
    static func handle(_ line: ConfigurationLine, into global: inout GlobalSettings) throws -> String? {
        if let handler = TLSGlobalKeywords.table[line.keyword] {
            try handler(line, &global.tls)
            return TLSGlobalKeywords.notApplied[line.keyword]
        }
        if let handler = VariableGlobalKeywords.table[line.keyword] {
            try handler(line, &global)
            return nil
        }
        if line.keyword == "tune.idle-pool.shared" {
            // usher keeps an idle server connection only for the client connection that opened it:
            // no pool, so nothing shared between threads, which is what `off` asks for.
            let value = try single(line)
            switch value {
            case "off": return nil
            case "on": return "'tune.idle-pool.shared on' has no effect: usher keeps an idle server connection only for the client connection that opened it, so there is no pool for threads to share"
            default: throw ConfigurationError("'tune.idle-pool.shared' expects 'on' or 'off', not '\(value)'")
            }
        }
        guard let handler = table[line.keyword] else {
            if HAProxyKeywords.removedGlobal.contains(line.keyword) {
                throw ConfigurationError.removedIn2x("'\(line.keyword)'")
            }
            if HAProxyKeywords.global.contains(line.keyword) {
                throw ConfigurationError.notSupported("'\(line.keyword)' in the global section")
            }
            let hint = NearestMatch.find(line.keyword, in: Set(table.keys).union(VariableGlobalKeywords.table.keys).union(HAProxyKeywords.global).union(HAProxyKeywords.sections)).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown keyword '\(line.keyword)' in the global section\(hint)")
        }
        try handler(line, &global)
        return nil
    }

    static func single(_ line: ConfigurationLine) throws -> String {
        guard line.words.count == 2 else {
            throw ConfigurationError("'\(line.keyword)' expects exactly one argument")
        }
        return line.words[1]
    }

    static func noArguments(_ line: ConfigurationLine) throws {
        guard line.words.count == 1 else {
            throw ConfigurationError("'\(line.keyword)' takes no arguments")
        }
    }

    static func integer(_ line: ConfigurationLine, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
        let text = try single(line)
        guard let value = ConfigurationValues.integer(text, in: range) else {
            throw ConfigurationError("'\(line.keyword)' expects an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    static func duration(_ line: ConfigurationLine) throws -> Duration {
        let text = try single(line)
        guard let value = ConfigurationValues.duration(text) else {
            throw ConfigurationError("'\(line.keyword)' expects a duration such as 10s, 500ms or 2m, not '\(text)'")
        }
        return value
    }
}
