import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking runtime API client, as `socat` is: a UNIX stream socket or a TCP port, a command
/// line out, everything until the close back.
final class RuntimeAPIClient: @unchecked Sendable {
    let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to the UNIX socket at `path`.
    init(path: String, timeout: Double = 10) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        Self.setTimeout(fd, timeout)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw Failure(description: "connect to \(path): errno \(errno)") }
    }

    /// Connects to 127.0.0.1:`port`.
    init(port: Int, timeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        Self.setTimeout(fd, timeout)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw Failure(description: "connect to port \(port): errno \(errno)") }
    }

    deinit {
        close(fd)
    }

    static func setTimeout(_ fd: Int32, _ timeout: Double) {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
    }

    /// Reads one chunk; empty at the end of the stream; throws on timeout or reset.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            throw Failure(description: errno == EAGAIN || errno == EWOULDBLOCK ? "receive timed out" : "recv: errno \(errno)")
        }
        return Array(buffer[0..<count])
    }

    /// Everything until the server closes.
    func receiveAll() throws -> String {
        var result: [UInt8] = []
        while true {
            let chunk = try receive()
            if chunk.isEmpty { return String(decoding: result, as: UTF8.self) }
            result += chunk
        }
    }

    /// Reads until the text received ends with `suffix` (a prompt).
    func receive(until suffix: String) throws -> String {
        var result: [UInt8] = []
        while !String(decoding: result, as: UTF8.self).hasSuffix(suffix) {
            let chunk = try receive()
            if chunk.isEmpty { break }
            result += chunk
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether the server closed the connection (end of stream or reset) within `timeout` seconds.
    func isClosedByPeer(within timeout: Double) -> Bool {
        Self.setTimeout(fd, timeout)
        var byte: UInt8 = 0
        while true {
            let count = recv(fd, &byte, 1, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    /// One command on a fresh connection, non-interactive, as `echo CMD | socat - UNIX:PATH`.
    /// Waits until the socket file at `path` exists: a separate usher process binds its stats
    /// socket after its listeners, so a listener that accepts says nothing of it yet.
    static func waitForSocket(_ path: String, timeout: Double = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: path), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    static func ask(_ path: String, _ command: String) throws -> String {
        let client = try RuntimeAPIClient(path: path)
        try client.send(command + "\n")
        return try client.receiveAll()
    }

    static func ask(port: Int, _ command: String) throws -> String {
        let client = try RuntimeAPIClient(port: port)
        try client.send(command + "\n")
        return try client.receiveAll()
    }
}

/// A temporary directory for socket files, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/usher-rapi-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// One HTTP/1.1 request through `port` with `Connection: close`; the whole response as text.
func httpGet(port: Int, path: String = "/", headers: String = "") throws -> String {
    let client = try RawClient(port: port)
    try client.send("GET \(path) HTTP/1.1\r\nHost: test\r\n\(headers)Connection: close\r\n\r\n")
    return String(decoding: try client.receiveAll(), as: UTF8.self)
}

/// The `X-Origin` of a response, or nil.
func origin(of response: String) -> String? {
    for line in response.split(separator: "\r\n") where line.lowercased().hasPrefix("x-origin:") {
        return line.dropFirst("x-origin:".count).trimmingCharacters(in: .whitespaces)
    }
    return nil
}

/// The cells of `show stat` CSV rows, by column name: `[pxname/svname: [column: value]]`.
func statTable(_ csv: String) -> [String: [String: String]] {
    let lines = csv.split(separator: "\n")
    guard let header = lines.first, header.hasPrefix("# ") else { return [:] }
    let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    var table: [String: [String: String]] = [:]
    for line in lines.dropFirst() {
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard cells.count >= 2 else { continue }
        var row: [String: String] = [:]
        for (name, cell) in zip(names, cells) { row[name] = cell }
        table["\(cells[0])/\(cells[1])"] = row
    }
    return table
}
