/// Why a `crt` file (or a file of a `crt` directory or crt-list) cannot be used. The message names
/// the file at fault; the caller puts the `bind` line's `file:line` in front of it.
public struct CertificateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for code that reacts to it (tests, a reload that keeps the old certificate).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unreadable, noCertificate, invalidCertificate, noPrivateKey, encryptedPrivateKey, invalidPrivateKey, keyMismatch
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The file is missing or cannot be read (permissions, a directory where a file was expected…).
        public static let unreadable = Kind(.unreadable)
        /// The file holds no `CERTIFICATE` block.
        public static let noCertificate = Kind(.noCertificate)
        /// A certificate block is not a certificate usher can use (bad encoding, unsupported key).
        public static let invalidCertificate = Kind(.invalidCertificate)
        /// Neither the file nor `FILE.key` holds a private key.
        public static let noPrivateKey = Kind(.noPrivateKey)
        /// The key is protected by a passphrase, which HAProxy does not ask for either.
        public static let encryptedPrivateKey = Kind(.encryptedPrivateKey)
        /// The key block cannot be read, or is of a kind usher does not support.
        public static let invalidPrivateKey = Kind(.invalidPrivateKey)
        /// The private key is not the certificate's.
        public static let keyMismatch = Kind(.keyMismatch)

        public var description: String { base.rawValue }
    }

    public var kind: Kind
    /// The file at fault: the certificate file, or the key file beside it.
    public var path: String
    public var message: String

    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { message }
}
