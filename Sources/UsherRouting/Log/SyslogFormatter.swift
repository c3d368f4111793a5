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

    /// The whole message for `target`, cut to its `len`, without a trailing newline for UDP and with
    /// one for stdout/stderr.
    public func frame(_ message: String, level: SyslogLevel, at time: LogTimestamp, for target: LogTarget) -> String {
        let effectiveLevel = target.minimumLevel.map { min($0, level) } ?? level
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
        if framed.utf8.count > target.maximumLength {
            framed = String(decoding: framed.utf8.prefix(target.maximumLength), as: UTF8.self)
        }
        switch target.destination {
        case .udp: return framed
        case .stdout, .stderr: return framed + "\n"
        }
    }

    /// Whether a message at `level` passes the target's level filter.
    public static func accepts(_ level: SyslogLevel, target: LogTarget) -> Bool {
        level <= target.level
    }
}
