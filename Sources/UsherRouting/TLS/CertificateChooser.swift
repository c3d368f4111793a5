/// Which certificate a TLS `bind` presents for the server name (SNI) a client asks for.
///
/// Built once per bind line from its certificates in declaration order (each `crt`, each line of
/// each `crt-list`), then asked on every handshake. The rules are HAProxy's (checked against 2.6.12):
///
/// - A certificate serves the names it carries — every DNS subject alternative name *and* every
///   subject common name, not the common name only as a fallback — unless its crt-list line gives
///   SNI filters, which replace them.
/// - Matching ignores ASCII case. A name is taken as sent: no trailing dot is removed.
/// - An exact name beats a wildcard, whatever the order of declaration. `*.example.com` stands for
///   one label: it serves `www.example.com`, not `example.com` nor `a.b.example.com`.
/// - Among certificates serving the same name, the first declared wins, except that when the
///   client's signature algorithms are known an ECDSA certificate is preferred for a client that
///   takes ECDSA, then an RSA one for a client that takes RSA (one `crt` per key type is how
///   HAProxy serves both kinds of clients).
/// - A negative filter `!name` takes `name` away from the wildcards of its own crt-list line only;
///   the same name given positively, on that line or another, still matches. HAProxy ignores
///   negative wildcards (`!*`, `!*.example.com`): `cert.pem !*` is how a list declares a default
///   certificate that serves no name of its own.
/// - Without a server name, or when none matches, the default certificate is presented: the first
///   one declared. With `strict-sni` the handshake is refused instead; the default certificate
///   still serves the names it matches.
///
/// The names are indexed in two dictionaries (exact names, and wildcards by the part after `*`),
/// so a choice is two lookups whatever the number of certificates.
public struct CertificateChooser: Sendable {
    /// The kind of key of a certificate, as far as choosing between certificates for one name goes.
    public enum KeyType: Sendable, Hashable {
        case rsa
        case ecdsa
        /// Any other key (Ed25519, DSA…): chosen after a matching ECDSA or RSA certificate.
        case other
    }

    /// Which kinds of certificate signatures a client accepts, from its `signature_algorithms`
    /// extension. A TLS 1.0/1.1 hello has no such extension: its client takes RSA.
    public struct SignatureSupport: Sendable, Hashable {
        public var rsa: Bool
        public var ecdsa: Bool

        public init(rsa: Bool, ecdsa: Bool) {
            self.rsa = rsa
            self.ecdsa = ecdsa
        }
    }

    /// One certificate of the bind line.
    public struct Entry: Sendable, Equatable {
        /// The names the certificate carries: its DNS subject alternative names and its subject
        /// common names, wildcards included. Any case.
        public var names: [String]
        /// The SNI filters of its crt-list line, as written; when not empty they replace `names`.
        public var sniFilters: [String]
        /// Whether it may be presented when no name matches. The default certificate is the first
        /// entry that may; HAProxy's is the first declared, which `true` everywhere gives.
        public var mayBeDefault: Bool
        /// Its key's kind, for choosing between an RSA and an ECDSA certificate for the same name;
        /// `nil` when unknown (taken as ``KeyType/other``).
        public var keyType: KeyType?

        public init(names: [String], sniFilters: [String] = [], mayBeDefault: Bool = true, keyType: KeyType? = nil) {
            self.names = names
            self.sniFilters = sniFilters
            self.mayBeDefault = mayBeDefault
            self.keyType = keyType
        }
    }

    /// The certificate presented when the client sends no name or one that matches nothing
    /// (unless ``strictSNI``).
    public let defaultIndex: Int?
    /// `strict-sni`: refuse a handshake whose name matches no certificate, instead of presenting
    /// the default one.
    public let strictSNI: Bool

    /// Exact names, lowercased, to the entries serving them in declaration order.
    private let exact: [String: [Candidate]]
    /// Wildcards by what follows their `*` (`*.example.com` under `.example.com`), lowercased.
    private let wildcards: [String: [Candidate]]
    /// Per entry, the names its negative filters take away from its wildcards.
    private let exclusions: [Set<String>]

    private struct Candidate: Sendable {
        var index: Int
        var keyType: KeyType
    }

    public init(entries: [Entry], strictSNI: Bool = false) {
        var exact: [String: [Candidate]] = [:]
        var wildcards: [String: [Candidate]] = [:]
        var exclusions: [Set<String>] = []
        for (index, entry) in entries.enumerated() {
            let candidate = Candidate(index: index, keyType: entry.keyType ?? .other)
            var excluded: Set<String> = []
            for word in entry.sniFilters.isEmpty ? entry.names : entry.sniFilters {
                let name = Self.lowercasedASCII(word)
                if name.hasPrefix("!") {
                    let negated = name.dropFirst()
                    // A negative wildcard does nothing in HAProxy (`!*` is a placeholder filter).
                    if !negated.isEmpty, !negated.hasPrefix("*") { excluded.insert(String(negated)) }
                } else if name.hasPrefix("*") {
                    // Kept with its dot: a server name is looked up by the part from its first dot,
                    // so `*` alone or `*example.com` can never match, as in HAProxy.
                    let suffix = String(name.dropFirst())
                    if !suffix.isEmpty { Self.append(candidate, to: &wildcards[suffix, default: []]) }
                } else if !name.isEmpty {
                    Self.append(candidate, to: &exact[name, default: []])
                }
            }
            exclusions.append(excluded)
        }
        self.exact = exact
        self.wildcards = wildcards
        self.exclusions = exclusions
        self.defaultIndex = entries.firstIndex { $0.mayBeDefault }
        self.strictSNI = strictSNI
    }

    /// The index of the entry to present for `serverName` (the ClientHello's SNI, `nil` when it
    /// has none), or `nil` to refuse the handshake.
    ///
    /// `signatures` is what the client's `signature_algorithms` allow; when `nil` (unknown), the
    /// first declared of the matching certificates is chosen, whatever its key.
    public func choose(serverName: String?, signatures: SignatureSupport? = nil) -> Int? {
        let fallback = strictSNI ? nil : defaultIndex
        guard let serverName, !serverName.isEmpty else { return fallback }
        let name = Self.lowercasedASCII(serverName)
        if let candidates = exact[name], let chosen = Self.pick(candidates, signatures: signatures, where: { _ in true }) {
            return chosen
        }
        if let dot = name.utf8.firstIndex(of: UInt8(ascii: ".")), let candidates = wildcards[String(name[dot...])],
            let chosen = Self.pick(candidates, signatures: signatures, where: { !exclusions[$0].contains(name) })
        {
            return chosen
        }
        return fallback
    }

    /// The first of `candidates` allowed by `isAllowed`, preferring by key type when the client's
    /// signatures are known: ECDSA if it takes ECDSA, else RSA if it takes RSA, else another key,
    /// else whatever there is.
    private static func pick(_ candidates: [Candidate], signatures: SignatureSupport?, where isAllowed: (Int) -> Bool) -> Int? {
        var ecdsa: Int?
        var rsa: Int?
        var other: Int?
        for candidate in candidates where isAllowed(candidate.index) {
            guard let signatures else { return candidate.index }
            switch candidate.keyType {
            case .ecdsa:
                if signatures.ecdsa { return candidate.index }
                if ecdsa == nil { ecdsa = candidate.index }
            case .rsa:
                if rsa == nil { rsa = candidate.index }
            case .other:
                if other == nil { other = candidate.index }
            }
        }
        if signatures?.rsa == true, let rsa { return rsa }
        return other ?? ecdsa ?? rsa
    }

    /// Adds `candidate` unless its entry is already there (a name both in the SAN and the CN).
    private static func append(_ candidate: Candidate, to list: inout [Candidate]) {
        if list.last?.index != candidate.index { list.append(candidate) }
    }

    /// `text` with ASCII letters lowercased, as HAProxy's `tolower` in the C locale; without a copy
    /// when there is nothing to change (server names are usually sent in lowercase).
    public static func lowercasedASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return text }
        return String(decoding: text.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
