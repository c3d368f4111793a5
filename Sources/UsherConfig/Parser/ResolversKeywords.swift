/// The keywords of a `resolvers` section.
enum ResolversKeywords {
    static let keywords: Set<String> = [
        "nameserver", "parse-resolv-conf", "hold", "resolve_retries", "timeout", "accepted_payload_size",
        "resolution_pool_size",
    ]

    /// Reads one line into `resolvers`; returns a warning when the line is accepted with one.
    static func handle(_ line: ConfigurationLine, into resolvers: inout Resolvers, fileReader: ConfigurationFileReader) throws -> String? {
        let words = line.words
        func argument(_ index: Int, _ what: String) throws -> String {
            guard index < words.count, !words[index].isEmpty else { throw ConfigurationError("'\(line.keyword)' expects \(what)") }
            return words[index]
        }
        func period(_ text: String, _ what: String) throws -> Duration {
            guard let duration = ConfigurationValues.duration(text) else {
                throw ConfigurationError("'\(what)' expects a period such as 10s or 500 (milliseconds), not '\(text)'")
            }
            return duration
        }
        switch line.keyword {
        case "nameserver":
            let name = try argument(1, "a name and an address such as 127.0.0.1:53")
            let addressText = try argument(2, "a name and an address such as 127.0.0.1:53")
            if let existing = resolvers.nameservers.first(where: { $0.name == name }) {
                throw ConfigurationError("nameserver '\(name)' has the same name as another nameserver (declared at \(existing.location))")
            }
            resolvers.nameservers.append(try nameserver(name, addressText, at: line.location))
        case "parse-resolv-conf":
            let bytes: [UInt8]
            do {
                bytes = try fileReader.read("/etc/resolv.conf", 65536)
            } catch {
                throw ConfigurationError("'parse-resolv-conf': cannot read /etc/resolv.conf: \(error.reason)")
            }
            var index = 0
            for row in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let fields = row.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 2, fields[0] == "nameserver" else { continue }
                index += 1
                // A scoped IPv6 address (fe80::1%eth0) is not something usher can send to: skipped.
                guard !fields[1].contains("%") else { continue }
                let host = String(fields[1])
                let text = host.contains(":") ? "[\(host)]:53" : "\(host):53"
                resolvers.nameservers.append(try nameserver("resolv.conf.\(index)", text, at: line.location))
            }
        case "hold":
            let status = try argument(1, "a status (nx, other, refused, timeout, valid or obsolete) and a period")
            let text = try argument(2, "a status (nx, other, refused, timeout, valid or obsolete) and a period")
            let duration = try period(text, "hold \(status)")
            switch status {
            case "nx": resolvers.hold.nx = duration
            case "other": resolvers.hold.other = duration
            case "refused": resolvers.hold.refused = duration
            case "timeout": resolvers.hold.timeout = duration
            case "valid": resolvers.hold.valid = duration
            case "obsolete": resolvers.hold.obsolete = duration
            default:
                throw ConfigurationError("'hold' expects a status among 'nx', 'other', 'refused', 'timeout', 'valid' and 'obsolete', not '\(status)'")
            }
        case "resolve_retries":
            let text = try argument(1, "a number of queries")
            guard let count = ConfigurationValues.integer(text, in: 1...1000) else {
                throw ConfigurationError("'resolve_retries' expects a number of queries from 1 to 1000, not '\(text)'")
            }
            resolvers.resolveRetries = count
        case "timeout":
            let which = try argument(1, "'resolve' or 'retry' and a period")
            let text = try argument(2, "'resolve' or 'retry' and a period")
            var duration = try period(text, "timeout \(which)")
            // A zero period would make the timers spin; HAProxy's clock ticks in milliseconds.
            duration = max(duration, .milliseconds(1))
            switch which {
            case "resolve": resolvers.timeoutResolve = duration
            case "retry": resolvers.timeoutRetry = duration
            default: throw ConfigurationError("'timeout' expects 'resolve' or 'retry' and a period, not '\(which)'")
            }
        case "accepted_payload_size":
            let text = try argument(1, "a size in bytes")
            guard let size = ConfigurationValues.integer(text, in: 512...65535) else {
                throw ConfigurationError("'accepted_payload_size' expects a size from 512 to 65535 bytes, not '\(text)'")
            }
            resolvers.acceptedPayloadSize = size
        case "resolution_pool_size":
            return "'resolution_pool_size' is ignored: HAProxy 1.8 ignored it with a warning too, and HAProxy 2.6 refuses it; remove it"
        default:
            let hint = NearestMatch.find(line.keyword, in: keywords).map { "; did you mean '\($0)'?" } ?? ""
            throw ConfigurationError("unknown keyword '\(line.keyword)' in 'resolvers' section\(hint)")
        }
        return nil
    }

    /// `[udp@|udp4@|udp6@|ipv4@|ipv6@]IP:PORT`; `tcp@` is refused for now.
    static func nameserver(_ name: String, _ text: String, at location: SourceLocation) throws -> Nameserver {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            let prefix = rest[..<at]
            switch prefix {
            case "udp", "udp4", "udp6", "ipv4", "ipv6": break
            case "tcp", "tcp4", "tcp6":
                throw ConfigurationError("nameserver '\(name)': DNS over TCP ('\(prefix)@') is not supported by usher yet; use a UDP name server")
            default:
                throw ConfigurationError("nameserver '\(name)': unknown address prefix '\(prefix)@' in '\(text)'")
            }
            rest = rest[rest.index(after: at)...]
        }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].first == ":" else {
                throw ConfigurationError("nameserver '\(name)': expected [IPv6]:PORT, not '\(text)'")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw ConfigurationError("nameserver '\(name)': missing port in '\(text)' (write such as 127.0.0.1:53)")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        let isIPv4 = host.split(separator: ".", omittingEmptySubsequences: false).count == 4 && Address.isNumericIPv4(host)
        let isIPv6 = host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        guard isIPv4 || isIPv6 else {
            throw ConfigurationError("nameserver '\(name)': '\(host)' in '\(text)' is not an IP address (a name server is given by its address)")
        }
        guard let port = ConfigurationValues.integer(String(portText), in: 1...65535) else {
            throw ConfigurationError("nameserver '\(name)': invalid port '\(portText)' in '\(text)' (expected 1-65535)")
        }
        return Nameserver(name: name, host: String(host), port: port, location: location)
    }
}
