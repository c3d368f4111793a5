/// Whether BoringSSL would take a `ciphers` list (OpenSSL's cipher string format, for TLS 1.2 and
/// older).
///
/// swift-nio-ssl hands the list to BoringSSL when it makes a context and stops the process
/// (`precondition`) if BoringSSL refuses it; it offers no way to ask first. So usher reads the
/// list the way BoringSSL does (lenient mode, as `SSL_CTX_set_cipher_list`): rules separated by
/// `:`, `,`, `;` or spaces; `!` kills, `-` removes, `+` moves, none adds; `A+B` intersects aliases;
/// names it does not know select nothing; `@STRENGTH` is the only `@` command; `[A|B]` groups. The
/// list is refused when its syntax is wrong or when it leaves no cipher, which is when BoringSSL
/// refuses it too, and HAProxy ("unable to set SSL cipher list").
enum BoringSSLCipherList {
    /// Why BoringSSL would refuse `list`, nil when it takes it.
    static func problem(_ list: String) -> String? {
        var selection = Selection()
        var rest = Substring(list)
        if rest.hasPrefix("DEFAULT") {
            // BoringSSL's default list is every cipher it has (deprecated ones aside).
            selection.apply(.add, Rule(match: .alias(Alias.all)))
            rest = rest.dropFirst(7)
            if rest.first == ":" { rest = rest.dropFirst() }
        }
        if let problem = selection.process(rest) { return problem }
        return selection.active.isEmpty ? "it selects no cipher the TLS library (BoringSSL) has" : nil
    }

    enum Operation {
        case add, delete, kill, order, special
    }

    /// The attributes BoringSSL matches rules against, as bit sets.
    struct Cipher {
        var names: [String]
        var keyExchange: UInt8
        var authentication: UInt8
        var encryption: UInt8
        var mac: UInt8
        /// Suites from TLS 1.2 on name their own PRF hash; older ones (`SSLv3`/`TLSv1` aliases) do not.
        var sinceTLS12: Bool
        var deprecated = false
        /// TLS 1.3 suites have names but are never selected by a list.
        var tls13 = false
    }

    // Bits of each attribute.
    static let kRSA: UInt8 = 1, kECDHE: UInt8 = 2, kPSK: UInt8 = 4
    static let aRSA: UInt8 = 1, aECDSA: UInt8 = 2, aPSK: UInt8 = 4
    static let des3: UInt8 = 1, aes128: UInt8 = 2, aes256: UInt8 = 4, aes128GCM: UInt8 = 8, aes256GCM: UInt8 = 16, chacha20: UInt8 = 32
    static let sha1: UInt8 = 1, sha256: UInt8 = 2, aead: UInt8 = 4
    static let any: UInt8 = 0xFF

    static let ciphers: [Cipher] = [
        Cipher(names: ["DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"], keyExchange: kRSA, authentication: aRSA, encryption: des3, mac: sha1, sinceTLS12: false, deprecated: true),
        Cipher(names: ["AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"], keyExchange: kRSA, authentication: aRSA, encryption: aes128, mac: sha1, sinceTLS12: false),
        Cipher(names: ["AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"], keyExchange: kRSA, authentication: aRSA, encryption: aes256, mac: sha1, sinceTLS12: false),
        Cipher(names: ["PSK-AES128-CBC-SHA", "TLS_PSK_WITH_AES_128_CBC_SHA"], keyExchange: kPSK, authentication: aPSK, encryption: aes128, mac: sha1, sinceTLS12: false),
        Cipher(names: ["PSK-AES256-CBC-SHA", "TLS_PSK_WITH_AES_256_CBC_SHA"], keyExchange: kPSK, authentication: aPSK, encryption: aes256, mac: sha1, sinceTLS12: false),
        Cipher(names: ["AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"], keyExchange: kRSA, authentication: aRSA, encryption: aes128GCM, mac: aead, sinceTLS12: true),
        Cipher(names: ["AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384"], keyExchange: kRSA, authentication: aRSA, encryption: aes256GCM, mac: aead, sinceTLS12: true),
        Cipher(names: ["TLS_AES_128_GCM_SHA256"], keyExchange: 0, authentication: 0, encryption: aes128GCM, mac: aead, sinceTLS12: true, tls13: true),
        Cipher(names: ["TLS_AES_256_GCM_SHA384"], keyExchange: 0, authentication: 0, encryption: aes256GCM, mac: aead, sinceTLS12: true, tls13: true),
        Cipher(names: ["TLS_CHACHA20_POLY1305_SHA256"], keyExchange: 0, authentication: 0, encryption: chacha20, mac: aead, sinceTLS12: true, tls13: true),
        Cipher(names: ["ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"], keyExchange: kECDHE, authentication: aECDSA, encryption: aes128, mac: sha1, sinceTLS12: false),
        Cipher(names: ["ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"], keyExchange: kECDHE, authentication: aECDSA, encryption: aes256, mac: sha1, sinceTLS12: false),
        Cipher(names: ["ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"], keyExchange: kECDHE, authentication: aRSA, encryption: aes128, mac: sha1, sinceTLS12: false),
        Cipher(names: ["ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"], keyExchange: kECDHE, authentication: aRSA, encryption: aes256, mac: sha1, sinceTLS12: false),
        Cipher(names: ["ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"], keyExchange: kECDHE, authentication: aECDSA, encryption: aes128, mac: sha256, sinceTLS12: true, deprecated: true),
        Cipher(names: ["ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"], keyExchange: kECDHE, authentication: aRSA, encryption: aes128, mac: sha256, sinceTLS12: true, deprecated: true),
        Cipher(names: ["ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"], keyExchange: kECDHE, authentication: aECDSA, encryption: aes128GCM, mac: aead, sinceTLS12: true),
        Cipher(names: ["ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"], keyExchange: kECDHE, authentication: aECDSA, encryption: aes256GCM, mac: aead, sinceTLS12: true),
        Cipher(names: ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], keyExchange: kECDHE, authentication: aRSA, encryption: aes128GCM, mac: aead, sinceTLS12: true),
        Cipher(names: ["ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"], keyExchange: kECDHE, authentication: aRSA, encryption: aes256GCM, mac: aead, sinceTLS12: true),
        Cipher(names: ["ECDHE-PSK-AES128-CBC-SHA", "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"], keyExchange: kECDHE, authentication: aPSK, encryption: aes128, mac: sha1, sinceTLS12: false),
        Cipher(names: ["ECDHE-PSK-AES256-CBC-SHA", "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"], keyExchange: kECDHE, authentication: aPSK, encryption: aes256, mac: sha1, sinceTLS12: false),
        Cipher(names: ["ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"], keyExchange: kECDHE, authentication: aRSA, encryption: chacha20, mac: aead, sinceTLS12: true),
        Cipher(names: ["ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"], keyExchange: kECDHE, authentication: aECDSA, encryption: chacha20, mac: aead, sinceTLS12: true),
        Cipher(names: ["ECDHE-PSK-CHACHA20-POLY1305", "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"], keyExchange: kECDHE, authentication: aPSK, encryption: chacha20, mac: aead, sinceTLS12: true),
    ]

    /// A group of ciphers named by one word; `A+B` keeps what both name.
    struct Alias {
        var keyExchange = any, authentication = any, encryption = any, mac = any
        /// `SSLv3`/`TLSv1` (false) and `TLSv1.2` (true) select by the version a suite came with.
        var sinceTLS12: Bool?
        var includesDeprecated = false

        static let all = Alias()
    }

    static let aliases: [String: Alias] = {
        let aes = aes128 | aes256 | aes128GCM | aes256GCM
        return [
            "ALL": Alias(), "HIGH": Alias(), "FIPS": Alias(),
            "kRSA": Alias(keyExchange: kRSA), "kECDHE": Alias(keyExchange: kECDHE), "kEECDH": Alias(keyExchange: kECDHE),
            "ECDH": Alias(keyExchange: kECDHE), "kPSK": Alias(keyExchange: kPSK),
            "aRSA": Alias(authentication: aRSA), "aECDSA": Alias(authentication: aECDSA), "ECDSA": Alias(authentication: aECDSA),
            "aPSK": Alias(authentication: aPSK),
            "ECDHE": Alias(keyExchange: kECDHE), "EECDH": Alias(keyExchange: kECDHE),
            "RSA": Alias(keyExchange: kRSA, authentication: aRSA), "PSK": Alias(keyExchange: kPSK, authentication: aPSK),
            "3DES": Alias(encryption: des3, includesDeprecated: true),
            "AES128": Alias(encryption: aes128 | aes128GCM), "AES256": Alias(encryption: aes256 | aes256GCM),
            "AES": Alias(encryption: aes), "AESGCM": Alias(encryption: aes128GCM | aes256GCM), "CHACHA20": Alias(encryption: chacha20),
            "SHA1": Alias(mac: sha1), "SHA": Alias(mac: sha1),
            "SSLv3": Alias(sinceTLS12: false), "TLSv1": Alias(sinceTLS12: false), "TLSv1.2": Alias(sinceTLS12: true),
        ]
    }()

    /// What one rule selects.
    struct Rule {
        enum Match {
            case cipher(Int)
            case alias(Alias)
        }

        var match: Match

        func selects(_ index: Int, for operation: Operation) -> Bool {
            let cipher = BoringSSLCipherList.ciphers[index]
            guard !cipher.tls13 else { return false }
            switch match {
            case .cipher(let wanted):
                return index == wanted
            case .alias(let alias):
                // Adding leaves deprecated suites out unless an alias of the rule names them.
                if cipher.deprecated, operation == .add, !alias.includesDeprecated { return false }
                if let since = alias.sinceTLS12, since != cipher.sinceTLS12 { return false }
                return alias.keyExchange & cipher.keyExchange != 0 && alias.authentication & cipher.authentication != 0
                    && alias.encryption & cipher.encryption != 0 && alias.mac & cipher.mac != 0
            }
        }
    }

    /// The ciphers a list has selected so far.
    struct Selection {
        var active: Set<Int> = []
        var killed: Set<Int> = []

        mutating func apply(_ operation: Operation, _ rule: Rule) {
            for index in BoringSSLCipherList.ciphers.indices where !killed.contains(index) && rule.selects(index, for: operation) {
                switch operation {
                case .add: active.insert(index)
                case .delete: active.remove(index)
                case .kill:
                    active.remove(index)
                    killed.insert(index)
                case .order, .special: break
                }
            }
        }

        static func isSeparator(_ c: Character) -> Bool { c == ":" || c == " " || c == ";" || c == "," }
        static func isWordCharacter(_ c: Character) -> Bool { (c.isASCII && (c.isLetter || c.isNumber)) || c == "-" || c == "." || c == "_" }

        /// Reads the rules of `text` into the selection; a description of the first syntax error.
        mutating func process(_ text: Substring) -> String? {
            var rest = text
            var inGroup = false, hasGroup = false
            while let c = rest.first {
                var operation = Operation.add
                if inGroup {
                    if c == "]" {
                        inGroup = false
                        rest = rest.dropFirst()
                        continue
                    }
                    if c == "|" {
                        rest = rest.dropFirst()
                        continue
                    }
                    guard c.isASCII, c.isLetter || c.isNumber else { return "unexpected '\(c)' in a [group]" }
                } else {
                    switch c {
                    case "-": operation = .delete
                    case "+": operation = .order
                    case "!": operation = .kill
                    case "@": operation = .special
                    case "[":
                        inGroup = true
                        hasGroup = true
                        rest = rest.dropFirst()
                        continue
                    default: break
                    }
                    if operation != .add { rest = rest.dropFirst() }
                }
                if hasGroup, operation != .add { return "'\(c)' cannot be used with [groups]" }
                if operation == .add, Self.isSeparator(c) {
                    rest = rest.dropFirst()
                    continue
                }
                var alias = Alias()
                alias.includesDeprecated = operation != .add
                var exact: Int? = nil
                var multi = false, skip = false
                var command: Substring = ""
                while true {
                    let word = rest.prefix(while: Self.isWordCharacter)
                    guard !word.isEmpty else { return "unexpected '\(rest.first.map(String.init) ?? "end")' in the cipher list" }
                    rest = rest.dropFirst(word.count)
                    if operation == .special {
                        command = word
                        break
                    }
                    if !multi, rest.first != "+", let index = BoringSSLCipherList.ciphers.firstIndex(where: { $0.names.contains(String(word)) }) {
                        exact = index
                    } else if let known = BoringSSLCipherList.aliases[String(word)] {
                        alias.keyExchange &= known.keyExchange
                        alias.authentication &= known.authentication
                        alias.encryption &= known.encryption
                        alias.mac &= known.mac
                        alias.includesDeprecated = alias.includesDeprecated || known.includesDeprecated
                        if let since = known.sinceTLS12 {
                            if let already = alias.sinceTLS12, already != since { skip = true }
                            alias.sinceTLS12 = since
                        }
                    } else {
                        // A name BoringSSL does not know (an OpenSSL-only alias, a suite it lacks):
                        // the rule selects nothing.
                        skip = true
                    }
                    guard rest.first == "+" else { break }
                    rest = rest.dropFirst()
                    multi = true
                }
                if operation == .special {
                    // `@SECLEVEL=…` and other OpenSSL commands are refused by BoringSSL.
                    guard command == "STRENGTH" else { return "'@\(command)' is not a command BoringSSL knows (it has '@STRENGTH' only)" }
                    rest = rest.drop { !Self.isSeparator($0) }
                    continue
                }
                if !skip { apply(operation, Rule(match: exact.map { .cipher($0) } ?? .alias(alias))) }
            }
            return inGroup ? "a [group] is not closed" : nil
        }
    }
}
