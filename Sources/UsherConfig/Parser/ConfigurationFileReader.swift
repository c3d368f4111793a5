#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the files a configuration names (`errorfile`, `http-request return file`): HAProxy reads
/// them while parsing, before any chroot, and so does usher. Injected so tests can supply files
/// without touching the disk.
public struct ConfigurationFileReader: Sendable {
    /// Why a file could not be read, in words for the user (`No such file or directory`).
    public struct ReadError: Error, Sendable, Equatable {
        public var reason: String

        public init(reason: String) {
            self.reason = reason
        }
    }

    /// Returns at most `limit + 1` bytes of the file at `path` (relative paths start at the
    /// current directory), so that the caller can tell a file over the limit.
    public var read: @Sendable (_ path: String, _ limit: Int) throws(ReadError) -> [UInt8]

    public init(read: @escaping @Sendable (_ path: String, _ limit: Int) throws(ReadError) -> [UInt8]) {
        self.read = read
    }

    /// The files of this machine.
    public static let system = ConfigurationFileReader { path, limit throws(ReadError) in
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ReadError(reason: systemReason()) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { buffer in
                Glue.read(descriptor, buffer.baseAddress, min(buffer.count, limit + 1 - bytes.count))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: systemReason())
            }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    /// Files given by path, for tests.
    public static func inMemory(_ files: [String: [UInt8]]) -> ConfigurationFileReader {
        ConfigurationFileReader { path, limit throws(ReadError) in
            guard let contents = files[path] else { throw ReadError(reason: "No such file or directory") }
            return Array(contents.prefix(limit + 1))
        }
    }

    private static func systemReason() -> String {
        guard let text = strerror(errno) else { return "error \(errno)" }
        return String(cString: text)
    }
}

/// The C library's `read`, which `ConfigurationFileReader.read` hides.
private enum Glue {
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(descriptor, buffer, count)
        #elseif canImport(Musl)
        return Musl.read(descriptor, buffer, count)
        #else
        return Darwin.read(descriptor, buffer, count)
        #endif
    }
}
