/// Where a `log` line sends messages.
public struct LogTarget: Sendable, Equatable {
    public enum Destination: Sendable, Hashable {
        /// A syslog server over UDP; the port defaults to 514.
        case udp(host: String, port: Int)
        /// A UNIX datagram socket (`log /dev/log`, `log unix@PATH`), as syslog daemons listen.
        case unix(path: String)
        case stdout
        case stderr
    }

    public enum Format: String, Sendable, Equatable {
        case rfc3164
        case rfc5424
        case raw
        case short
        case timed
        case iso
        case local
        case priority
    }

    public var destination: Destination
    public var format: Format
    public var facility: SyslogFacility
    /// Messages above this level (less severe) are not sent.
    public var level: SyslogLevel
    /// Messages are raised to at least this level.
    public var minimumLevel: SyslogLevel?
    /// Maximum line length (`len N`), default 1024.
    public var maximumLength: Int
    /// `sample RANGES:SIZE`: only some messages of each period are sent.
    public var sample: LogSample?
    /// Whether `format` was written. Without it HAProxy frames as `rfc3164` but leaves the hostname
    /// out unless `log-send-hostname` is set; a written `format rfc3164` always has one.
    public var hasExplicitFormat: Bool
    public var location: SourceLocation

    public init(
        destination: Destination, format: Format, facility: SyslogFacility, level: SyslogLevel,
        minimumLevel: SyslogLevel?, maximumLength: Int, sample: LogSample? = nil, hasExplicitFormat: Bool = false,
        location: SourceLocation
    ) {
        self.destination = destination
        self.format = format
        self.sample = sample
        self.hasExplicitFormat = hasExplicitFormat
        self.facility = facility
        self.level = level
        self.minimumLevel = minimumLevel
        self.maximumLength = maximumLength
        self.location = location
    }
}

/// Syslog facilities by their RFC 5424 codes.
public enum SyslogFacility: Int, Sendable, Equatable, CaseIterable {
    case kern = 0, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2
    case local0, local1, local2, local3, local4, local5, local6, local7

    public var name: String {
        switch self {
        case .auth2: return "auth2"
        case .cron2: return "cron2"
        default: return String(describing: self)
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}

/// Syslog severities by their RFC 5424 codes.
public enum SyslogLevel: Int, Sendable, Equatable, Comparable, CaseIterable {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    public var name: String { String(describing: self) }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    public static func < (lhs: SyslogLevel, rhs: SyslogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
