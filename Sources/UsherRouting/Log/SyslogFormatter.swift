import UsherConfig

/// Frames a log line for a `log` target, in the formats HAProxy sends.
public struct SyslogFormatter: Sendable {
    public var tag: String
    public var processID: Int32
    public var hostname: String

    public init(tag: String, processID: Int32, hostname: String) {
        self.tag = tag
        self.processID = processID
        self.hostname = hostname
    }

    /// The whole message for `target`, ending with a newline for every destination (HAProxy 2.6 puts
    /// one inside each UDP datagram too), cut so that, newline included, it fits in the target's
    /// `len`.
    public func frame(_ message: String, level: SyslogLevel, at time: LogTimestamp, for target: LogTarget) -> String {
        // `log … LEVEL MINLEVEL`: more severe messages are capped to MINLEVEL (HAProxy's
        // `MAX(level, minlvl)`, severities counting down from emerg = 0).
        let effectiveLevel = target.minimumLevel.map { max($0, level) } ?? level
        let priority = target.facility.rawValue * 8 + effectiveLevel.rawValue
        var framed: String
        switch target.format {
        case .raw:
            framed = message
        case .rfc3164, .local:
            framed = "<\(priority)>\(time.rfc3164Text) \(tag)[\(processID)]: \(message)"
        case .rfc5424:
            framed = "<\(priority)>1 \(time.rfc5424Text) \(hostname) \(tag) \(processID) - - \(message)"
        case .short:
            framed = "<\(effectiveLevel.rawValue)>\(message)"
        case .priority:
            framed = "<\(priority)>\(message)"
        case .timed:
            framed = "<\(priority)>\(time.rfc3164Text) \(message)"
        case .iso:
            framed = "\(time.rfc5424Text) \(message)"
        }
        let room = max(0, target.maximumLength - 1)
        if framed.utf8.count > room {
            framed = String(decoding: framed.utf8.prefix(room), as: UTF8.self)
        }
        return framed + "\n"
    }

    /// Whether a message at `level` passes the target's level filter.
    public static func accepts(_ level: SyslogLevel, target: LogTarget) -> Bool {
        level <= target.level
    }
}
