#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers

/// The system's crypt(3), which checks the `password HASH` of `userlist` users as HAProxy does:
/// whatever schemes the system's library knows (libxcrypt on Debian: yescrypt `$y$`, SHA-512
/// `$6$`, SHA-256 `$5$`, bcrypt `$2b$`, MD5 `$1$`, DES…).
///
/// The library is opened at run time (`libcrypt.so.1`, Debian's `libcrypt1`, which every system
/// has) rather than linked: the Glibc module does not export crypt, and a link would need
/// `libcrypt-dev` to build. `crypt_rn` (libxcrypt) is preferred: it is thread-safe, takes its work
/// area's size, and returns NULL for a setting it cannot use; `crypt_r`, then `crypt` under a lock,
/// where it is missing.
public enum SystemCrypt {
    private typealias CryptRN = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?, Int32) -> UnsafeMutablePointer<CChar>?
    private typealias CryptR = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> UnsafeMutablePointer<CChar>?
    private typealias Crypt = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>?

    private enum Function: @unchecked Sendable {
        case reentrantSized(CryptRN)
        case reentrant(CryptR)
        case shared(Crypt)
    }

    /// libxcrypt's `struct crypt_data` is 32 KiB; glibc's own (before libxcrypt) is about 128 KiB.
    private static let workAreaSize = 32_768
    private static let legacyWorkAreaSize = 262_144
    /// `crypt` keeps its result in static storage.
    private static let sharedLock = NIOLock()

    private static let function: Function? = {
        var handles: [UnsafeMutableRawPointer] = []
        for name in ["libcrypt.so.1", "libcrypt.so.2", "libcrypt.so"] {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { handles.append(handle) }
        }
        // Where crypt is part of the C library (macOS, the BSDs).
        if let handle = dlopen(nil, RTLD_NOW) { handles.append(handle) }
        for handle in handles {
            if let symbol = dlsym(handle, "crypt_rn") { return .reentrantSized(unsafeBitCast(symbol, to: CryptRN.self)) }
        }
        for handle in handles {
            if let symbol = dlsym(handle, "crypt_r") { return .reentrant(unsafeBitCast(symbol, to: CryptR.self)) }
        }
        for handle in handles {
            if let symbol = dlsym(handle, "crypt") { return .shared(unsafeBitCast(symbol, to: Crypt.self)) }
        }
        return nil
    }()

    /// Whether a crypt function was found at all.
    public static var isAvailable: Bool { function != nil }

    /// crypt(`password`, `setting`): the hash string, or nil when the system cannot compute one
    /// with that setting (an unknown scheme, a malformed salt) or has no crypt.
    public static func hash(_ password: String, setting: String) -> String? {
        guard let function else { return nil }
        let result: String? = password.withCString { phrase in
            setting.withCString { salt in
                switch function {
                case .reentrantSized(let crypt):
                    return withWorkArea(workAreaSize) { crypt(phrase, salt, $0, Int32(workAreaSize)).map { String(cString: $0) } }
                case .reentrant(let crypt):
                    return withWorkArea(legacyWorkAreaSize) { crypt(phrase, salt, $0).map { String(cString: $0) } }
                case .shared(let crypt):
                    return sharedLock.withLock { crypt(phrase, salt).map { String(cString: $0) } }
                }
            }
        }
        // libxcrypt's `crypt`/`crypt_r` answer a failure with a token starting with '*' ("*0").
        guard let result, !result.isEmpty, !result.hasPrefix("*") else { return nil }
        return result
    }

    /// Whether `password` hashes to `hash` (the hash is its own setting: scheme, cost and salt).
    public static func verify(_ password: String, hash stored: String) -> Bool {
        guard let computed = Self.hash(password, setting: stored) else { return false }
        return constantTimeEqual(computed, stored)
    }

    /// Whether the system can check passwords against `stored`: crypt accepts it as a setting.
    public static func canCheck(_ stored: String) -> Bool {
        Self.hash("", setting: stored) != nil
    }

    private static func withWorkArea<T>(_ size: Int, _ body: (UnsafeMutableRawPointer) -> T) -> T {
        let area = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        area.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer { area.deallocate() }
        return body(area)
    }

    /// Compares without stopping at the first difference, so the time taken says nothing of where
    /// a guess went wrong.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            let x = index < left.count ? left[index] : 0
            let y = index < right.count ? right[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
