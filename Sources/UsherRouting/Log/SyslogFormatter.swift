import UsherConfig

/// Frames a log line for a `log` target, in the formats HAProxy 2.6 sends.
public struct SyslogFormatter: Sendable {
    public var tag: String
    public var processID: Int32
    /// The `log-send-hostname` name (the system's host name when it was given without one), or
    /// `nil` without `log-send-hostname`.
    public var hostname: String?

    public init(tag: String, processID: Int32, hostname: String?) {
        self.tag = tag
        self.processID = processID
        self.hostname = hostname
    }

    /// What HAProxy 2.6 puts in an RFC 3164 header's hostname field when `format rfc3164` is written
    /// and `log-send-hostname` is not (observed; without the `format` word the field is left out).
    static let defaultRFC3164Hostname = "localhost"

    /// The whole message for `target`, ending with a newline for every destination (HAProxy 2.6 puts
    /// one inside each datagram too). `len N` cuts the text before that newline to N bytes, so a
    /// datagram is at most N + 1 bytes long, as HAProxy 2.6 sends them (observed over UDP and a
    /// UNIX socket: `len 80` gives 81-byte datagrams).
    public func frame(_ message: String, level: SyslogLevel, at time: LogTimestamp, for target: LogTarget) -> String {
        // `log … LEVEL MINLEVEL`: more severe messages are capped to MINLEVEL (HAProxy's
        // `MAX(level, minlvl)`, severities counting down from emerg = 0).
        let effectiveLevel = target.minimumLevel.map { max($0, level) } ?? level
        let priority = target.facility.rawValue * 8 + effectiveLevel.rawValue
        var framed: String
        switch target.format {
        case .raw:
            framed = message
        case .rfc3164:
            let host = target.hasExplicitFormat ? (hostname ?? Self.defaultRFC3164Hostname) : hostname
            framed = "<\(priority)>\(time.rfc3164Text) \(host.map { "\($0) " } ?? "")\(tag)[\(processID)]: \(message)"
        case .local:
            framed = "<\(priority)>\(time.rfc3164Text) \(tag)[\(processID)]: \(message)"
        case .rfc5424:
            framed = "<\(priority)>1 \(time.rfc5424Text) \(hostname ?? "-") \(tag) \(processID) - - \(message)"
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
            framed = Self.prefix(framed, bytes: target.maximumLength)
        }
        return framed + "\n"
    }

    /// The first `count` bytes of `text`, less a character cut in the middle.
    static func prefix(_ text: String, bytes count: Int) -> String {
        let utf8 = Array(text.utf8)
        var end = min(count, utf8.count)
        // Back off continuation bytes (10xxxxxx) so no character is split.
        while end > 0, end < utf8.count, utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: utf8[..<end], as: UTF8.self)
    }

    /// Whether a message at `level` passes the target's level filter.
    public static func accepts(_ level: SyslogLevel, target: LogTarget) -> Bool {
        level <= target.level
    }
}
