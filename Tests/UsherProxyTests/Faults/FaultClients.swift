import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// How a connection ended, seen from our side.
enum StreamEnding: String, Sendable {
    /// The peer closed (FIN): a read returned 0.
    case closed
    /// The peer reset the connection.
    case reset
    /// Nothing came within the read timeout.
    case timedOut
}

extension RawClient {
    /// Reads until the connection ends; returns what came and how it ended.
    func receiveUntilEnd(maximum: Int = 1 << 16) -> (bytes: [UInt8], ending: StreamEnding) {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
            if count > 0 {
                result += buffer[0..<count]
                continue
            }
            if count == 0 { return (result, .closed) }
            if errno == EINTR { continue }
            return (result, errno == ECONNRESET ? .reset : .timedOut)
        }
    }

    /// Reads one chunk: its bytes, or how the connection ended if it has.
    func receiveOrEnding(maximum: Int = 1 << 16) -> (bytes: [UInt8], ending: StreamEnding?) {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
            if count > 0 { return (Array(buffer[0..<count]), nil) }
            if count == 0 { return ([], .closed) }
            if errno == EINTR { continue }
            return ([], errno == ECONNRESET ? .reset : .timedOut)
        }
    }

    /// Closes with a reset (SO_LINGER 0) rather than a FIN.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Arms a reset for when the socket is closed (SO_LINGER 0).
    func resetOnClose() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }
}

/// Well-behaved clients, whose answers are checked byte for byte: the "others" a fault must not
/// disturb.
enum WellBehavedClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `GET /bytes/count` from a `BulkHTTPOrigin` behind `port`; throws unless the answer is a 200
    /// whose body is exactly the pattern's first `count` bytes.
    static func download(port: Int, count: Int = 16_384, host: String = "good.test", path: String = "/bytes/") throws {
        let client = try RawClient(port: port, timeout: 10)
        try client.send("GET \(path)\(count) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
        let (head, rest) = try client.receiveHead()
        guard head.hasPrefix("HTTP/1.1 200") else { throw Failure(description: "not a 200: \(head)") }
        var body = rest
        while body.count < count {
            let chunk = try client.receive()
            if chunk.isEmpty { break }
            body += chunk
        }
        guard body.count == count, body.withUnsafeBytes({ BytePattern.matches($0, offset: 0) }) else {
            throw Failure(description: "a body of \(body.count) bytes, not the \(count) expected (or not the pattern)")
        }
    }

    /// One exchange with a `TCPBackend` of behaviour `.bulkReply(replyBytes: count)` behind
    /// `port`: sends a little, half-closes, and checks the reply is the pattern's first `count`
    /// bytes.
    static func tcpExchange(port: Int, count: Int) throws {
        let client = try RawClient(port: port, timeout: 10)
        try client.send(BytePattern.bytes(count: 1000))
        client.shutdownWrite()
        let (bytes, ending) = client.receiveUntilEnd()
        guard ending == .closed, bytes.count == count, bytes.withUnsafeBytes({ BytePattern.matches($0, offset: 0) }) else {
            throw Failure(description: "\(bytes.count) bytes then \(ending.rawValue), not the \(count) expected")
        }
    }
}

/// A well-behaved client run over and over on its own thread while a fault goes on: every
/// exchange must succeed.
final class ServedMeanwhile: Sendable {
    private let state = NIOLockedValueBox<(served: Int, failures: [String], running: Bool)>((0, [], true))
    private let done = DispatchSemaphore(value: 0)

    /// Runs `exchange` every `pause` seconds until stopped.
    init(pause: Double = 0.05, _ exchange: @escaping @Sendable () throws -> Void) {
        let state = self.state, done = self.done
        Thread.detachNewThread {
            while state.withLockedValue({ $0.running }) {
                do {
                    try exchange()
                    state.withLockedValue { $0.served += 1 }
                } catch {
                    state.withLockedValue { $0.failures.append("\(error)") }
                }
                Thread.sleep(forTimeInterval: pause)
            }
            done.signal()
        }
    }

    var served: Int { state.withLockedValue { $0.served } }

    /// Stops after the exchange in progress; returns how many succeeded and what the others threw.
    func stop() -> (served: Int, failures: [String]) {
        state.withLockedValue { $0.running = false }
        done.wait()
        return state.withLockedValue { ($0.served, $0.failures) }
    }
}

/// A listening socket on 127.0.0.1 that accepts nothing: its backlog (0, which the kernel reads as
/// one) is filled by a connection of our own, so that every later SYN is dropped and a connect to
/// it waits until its timeout. On loopback only, no other address is touched.
final class BlackholeListener {
    let port: Int
    private let listener: Int32
    private let filler: RawClient

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 0) == 0 else {
            close(listener)
            throw RawClient.Failure(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        filler = try RawClient(port: port, timeout: 1)
        // The backlog is full once a second connect no longer completes.
        if (try? RawClient(port: port, timeout: 1)) != nil {
            throw RawClient.Failure(description: "the backlog of port \(port) did not fill")
        }
    }

    var address: String { "127.0.0.1:\(port)" }

    deinit {
        close(listener)
    }
}

/// Runs `body` for each of `0..<count` on its own thread, all at once; returns their results in
/// order.
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
    let results = NIOLockedValueBox<[Result<T, Error>?]>(Array(repeating: nil, count: count))
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread.detachNewThread {
            let result = Result { try body(index) }
            results.withLockedValue { $0[index] = result }
            group.leave()
        }
    }
    group.wait()
    return results.withLockedValue { $0.map { $0! } }
}

/// Makes sure this process may open `count` files, raising its soft limit towards the hard one if
/// needed (children inherit it). False if the hard limit is lower.
func ensureOpenFileLimit(_ count: Int) -> Bool {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return false }
    if limit.rlim_cur >= rlim_t(count) { return true }
    guard limit.rlim_max >= rlim_t(count) else { return false }
    limit.rlim_cur = rlim_t(count)
    return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0
}
