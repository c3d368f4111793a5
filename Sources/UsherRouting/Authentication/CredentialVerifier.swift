import Crypto
import NIOConcurrencyHelpers

/// Checks passwords against crypt(3) hashes and remembers the pairs that matched.
///
/// A hash check is slow on purpose (about 1 ms for SHA-512 with its default 5000 rounds, tens of
/// milliseconds for yescrypt or bcrypt), and a browser sends its credentials with every request:
/// HAProxy pays the check each time. usher keeps the (hash, password) pairs that matched, so a
/// logged-in client pays once per configuration. The cache holds HMAC-SHA-256 codes of the pairs,
/// under a key drawn when the configuration is compiled, never the passwords; it is bounded, and a
/// reload (a new configuration) starts it empty, so a changed password takes effect at once.
/// Failures are not kept: a wrong guess costs a full check every time, as it should.
///
/// The proxy runs the checks that are not cached off its event loops before a request's rules
/// (see `AuthenticationSet.pendingHashes`); `verify` is the synchronous path that rules fall
/// back to.
public final class CredentialVerifier: Sendable {
    /// At most this many pairs are kept; when full, the cache starts over.
    public static let capacity = 4096

    /// The HMAC key's bytes (`SymmetricKey` is not `Sendable`).
    private let key: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    private let matched = NIOLockedValueBox<Set<[UInt8]>>([])

    public init() {}

    /// Whether `password` is known to match `hash` without computing anything.
    public func isKnownMatch(_ password: String, hash: String) -> Bool {
        let code = self.code(password, hash)
        return matched.withLockedValue { $0.contains(code) }
    }

    /// Whether `password` matches `hash`: from the cache, else by crypt(3) (slow), remembering a match.
    public func verify(_ password: String, hash: String) -> Bool {
        let code = self.code(password, hash)
        if matched.withLockedValue({ $0.contains(code) }) { return true }
        guard SystemCrypt.verify(password, hash: hash) else { return false }
        matched.withLockedValue { set in
            if set.count >= Self.capacity { set.removeAll(keepingCapacity: true) }
            set.insert(code)
        }
        return true
    }

    private func code(_ password: String, _ hash: String) -> [UInt8] {
        var message = Array(hash.utf8)
        message.append(0)
        message += password.utf8
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
