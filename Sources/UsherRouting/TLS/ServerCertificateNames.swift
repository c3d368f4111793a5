/// The host names a server's certificate carries, and whether one of them is the name usher expects
/// (`verify required` with the SNI sent or `verifyhost`).
///
/// The rules are those of HAProxy 2.6: the subjectAltName DNS names when there are any, else the
/// subject's common names; case does not matter; a `*` is a wildcard only in the leftmost label
/// (not in an IDN `xn--` label), where it stands for characters of that one label
/// (`*.example.com`, `api-*.example.com`), never for a dot.
public struct ServerCertificateNames: Sendable, Equatable {
    public var dnsNames: [String]
    public var commonNames: [String]

    public init(dnsNames: [String], commonNames: [String]) {
        self.dnsNames = dnsNames
        self.commonNames = commonNames
    }

    /// Whether `host` is one of the certificate's names.
    public func matches(_ host: String) -> Bool {
        let candidates = dnsNames.isEmpty ? commonNames : dnsNames
        return candidates.contains { Self.matches(pattern: $0, host: host) }
    }

    /// Whether one name of a certificate, `pattern`, covers `host`.
    public static func matches(pattern: String, host: String) -> Bool {
        let pattern = pattern.lowercased(), host = host.lowercased()
        guard !pattern.isEmpty, !host.isEmpty else { return false }
        guard let star = pattern.firstIndex(of: "*"), let patternDot = pattern.firstIndex(of: "."), star < patternDot,
            !pattern.hasPrefix("xn--")
        else {
            return pattern == host
        }
        // Wildcard in the leftmost label: the rest must be the same, dot included.
        guard let hostDot = host.firstIndex(of: "."), host[hostDot...] == pattern[patternDot...] else { return false }
        let label = host[..<hostDot]
        let prefix = pattern[..<star], suffix = pattern[pattern.index(after: star)..<patternDot]
        guard !suffix.contains("*") else { return false }
        // The prefix and suffix must not overlap in the label; `*` alone needs a label to stand for.
        return label.count >= max(1, prefix.count + suffix.count) && label.hasPrefix(prefix) && label.hasSuffix(suffix)
    }
}
