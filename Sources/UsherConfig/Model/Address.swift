/// A network address as written in a `bind` or `server` line.
public struct Address: Sendable, Equatable, CustomStringConvertible {
    public enum Family: Sendable, Equatable {
        /// Whatever the host resolves to; for a wildcard, both IPv4 and IPv6.
        case unspecified
        case ipv4
        case ipv6
    }

    /// The host part; `nil` for a wildcard (`*`, empty).
    public var host: String?
    public var family: Family
    /// The port range; a single port is `p...p`. `nil` when no port was given (servers only).
    public var ports: ClosedRange<Int>?
    /// A UNIX-domain socket (`/path`, `unix@`, `abns@`) instead of a TCP one; `host` and `ports`
    /// are then nil.
    public var unixSocket: UnixSocketName?
    /// A listening socket the process was started with (`fd@N`, on a `bind` line only): its file
    /// descriptor. `host`, `ports` and `unixSocket` are then nil.
    public var inheritedDescriptor: Int32?
    /// `sockpair@N` (a `bind` line only): a UNIX socket pair the process was started with, over
    /// which another process passes connections it accepted, one descriptor per message.
    public var socketPairDescriptor: Int32?

    public init(host: String?, family: Family, ports: ClosedRange<Int>?) {
        self.host = host
        self.family = family
        self.ports = ports
        self.unixSocket = nil
    }

    /// An inherited listening socket (`fd@N`).
    public init(inheritedDescriptor: Int32) {
        self.host = nil
        self.family = .unspecified
        self.ports = nil
        self.unixSocket = nil
        self.inheritedDescriptor = inheritedDescriptor
    }

    /// Connections passed over an inherited socket pair (`sockpair@N`).
    public init(socketPairDescriptor: Int32) {
        self.host = nil
        self.family = .unspecified
        self.ports = nil
        self.unixSocket = nil
        self.socketPairDescriptor = socketPairDescriptor
    }

    /// A UNIX-domain socket address.
    public init(unixSocket: UnixSocketName) {
        self.host = nil
        self.family = .unspecified
        self.ports = nil
        self.unixSocket = unixSocket
    }

    public var description: String {
        if let unixSocket { return unixSocket.description }
        if let inheritedDescriptor { return "fd@\(inheritedDescriptor)" }
        if let socketPairDescriptor { return "sockpair@\(socketPairDescriptor)" }
        let hostText: String
        switch (host, family) {
        case (nil, .ipv6): hostText = "[::]"
        case (nil, _): hostText = "*"
        case (let h?, .ipv6): hostText = "[\(h)]"
        case (let h?, _): hostText = h
        }
        guard let ports else { return hostText }
        if ports.count == 1 { return "\(hostText):\(ports.lowerBound)" }
        return "\(hostText):\(ports.lowerBound)-\(ports.upperBound)"
    }

    public struct ParseError: Error, Sendable, Equatable {
        public var message: String
    }

    /// Parses a `bind` address: whatever `parse(_:portRequired:)` reads, and `fd@N`, a socket the
    /// process was started with, already bound (as a test harness or a supervisor passes it).
    /// `sockpair@N`: connections passed by another process over a socket pair.
    public static func parseListener(_ text: String) -> Result<Address, ParseError> {
        if text.hasPrefix("sockpair@") {
            return parseDescriptor(text.dropFirst(9), written: text, prefix: "sockpair@").map(Address.init(socketPairDescriptor:))
        }
        guard text.hasPrefix("fd@") else { return parse(text, portRequired: true) }
        return parseDescriptor(text.dropFirst(3), written: text).map(Address.init(inheritedDescriptor:))
    }

    /// The `N` of `fd@N`: a file descriptor number.
    public static func parseDescriptor(_ digits: Substring, written: String, prefix: String = "fd@") -> Result<Int32, ParseError> {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let number = Int32(digits) else {
            return .failure(ParseError(message: "'\(written)' expects a file descriptor number after '\(prefix)', such as \(prefix)3"))
        }
        return .success(number)
    }

    /// Parses `[prefix@]host[:port[-port]]` as HAProxy does: `*:80`, `:80`, `0.0.0.0:80`, `[::]:443`,
    /// `:::443`, `ipv4@…`, `ipv6@…`; and UNIX stream sockets: `/path`, `unix@PATH` (also `uxst@`),
    /// `abns@NAME`. Other families are refused with a message saying so.
    public static func parse(_ text: String, portRequired: Bool) -> Result<Address, ParseError> {
        var rest = Substring(text)
        var family = Family.unspecified
        if rest.hasPrefix("/") {
            // A bare absolute path is a UNIX socket, as in HAProxy; an `@` in it is part of the path.
            return UnixSocketName.parse(rest, abstract: false, written: text).map(Address.init(unixSocket:))
        }
        if let at = rest.firstIndex(of: "@") {
            let prefix = rest[..<at]
            switch prefix {
            case "ipv4": family = .ipv4
            case "ipv6": family = .ipv6
            case "unix", "uxst":
                return UnixSocketName.parse(rest[rest.index(after: at)...], abstract: false, written: text).map(Address.init(unixSocket:))
            case "abns":
                return UnixSocketName.parse(rest[rest.index(after: at)...], abstract: true, written: text).map(Address.init(unixSocket:))
            case "fd":
                return .failure(ParseError(message: "'\(text)': an inherited socket ('fd@') can only be listened on, on a 'bind' line"))
            case "sockpair":
                return .failure(ParseError(message: "'\(text)': a socket pair ('sockpair@') can only be listened on, on a 'bind' line"))
            case "abnsz", "udp", "udp4", "udp6", "quic4", "quic6", "uxdg", "tcp", "tcp4", "tcp6":
                if prefix == "tcp" { break }
                if prefix == "tcp4" { family = .ipv4; break }
                if prefix == "tcp6" { family = .ipv6; break }
                return .failure(ParseError(message: "address family '\(prefix)@' is not supported by usher yet (only TCP over IPv4 and IPv6, and UNIX stream sockets)"))
            default:
                return .failure(ParseError(message: "unknown address prefix '\(prefix)@' in '\(text)'"))
            }
            rest = rest[rest.index(after: at)...]
        }
        if rest.hasPrefix("/") {
            return .failure(ParseError(message: "'\(text)' puts a socket path after an IP family prefix (write '\(rest)' or 'unix@\(rest)')"))
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                return .failure(ParseError(message: "missing ']' in IPv6 address '\(text)'"))
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.first == ":" {
                portText = after.dropFirst()
            } else {
                return .failure(ParseError(message: "unexpected '\(after)' after ']' in '\(text)'"))
            }
            if family == .unspecified { family = .ipv6 }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            if host.contains(":") {
                if family == .unspecified { family = .ipv6 }
                if host == "::" { host = "" }
            }
        } else {
            host = rest
            portText = nil
        }
        var ports: ClosedRange<Int>? = nil
        if let portText, !portText.isEmpty {
            let pieces = portText.split(separator: "-", omittingEmptySubsequences: false)
            guard pieces.count <= 2,
                let low = ConfigurationValues.integer(String(pieces[0]), in: 0...65535),
                let high = pieces.count == 2 ? ConfigurationValues.integer(String(pieces[1]), in: 0...65535) : low,
                low <= high
            else {
                return .failure(ParseError(message: "invalid port '\(portText)' in '\(text)' (expected 1-65535 or a range like 8000-8010)"))
            }
            ports = low...high
        } else if portRequired {
            return .failure(ParseError(message: "missing port in address '\(text)'"))
        }
        var hostValue: String? = String(host)
        if host.isEmpty || host == "*" {
            hostValue = nil
        } else if host == "0.0.0.0" {
            hostValue = nil
            if family == .unspecified { family = .ipv4 }
        } else if host == "::" {
            hostValue = nil
            family = .ipv6
        } else if host.allSatisfy({ $0.isNumber || $0 == "." }) {
            // Digits and dots can only be an IPv4 address: no resolver would find such a name.
            guard isNumericIPv4(host) else {
                return .failure(ParseError(message: "invalid IPv4 address '\(host)' in '\(text)' (each of the four numbers must be from 0 to 255)"))
            }
            if family == .unspecified { family = .ipv4 }
        }
        return .success(Address(host: hostValue, family: family, ports: ports))
    }

    /// Whether `host` is written as an IPv4 or IPv6 address rather than a name.
    public static func looksLikeIP(_ host: String) -> Bool {
        if host.contains(":") { return true }
        return host.allSatisfy { $0.isNumber || $0 == "." } && isNumericIPv4(Substring(host))
    }

    /// Whether digits-and-dots text is an IPv4 address in the forms the C resolver accepts in
    /// decimal: `a.b.c.d`, and the short `a.b.c`, `a.b`, `a` whose last number fills the rest.
    static func isNumericIPv4(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return false }
        for (index, part) in parts.enumerated() {
            guard !part.isEmpty, part.count <= 10, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = UInt64(part) else {
                return false
            }
            let limit: UInt64 = index == parts.count - 1 ? (1 << (8 * UInt64(5 - parts.count))) - 1 : 255
            guard value <= limit else { return false }
        }
        return true
    }
}
