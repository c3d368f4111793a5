import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a test client does on one connection, in order.
enum ClientStep: Sendable {
    /// Sends bytes (the text's characters as single bytes, so `\0` and `\r` go out as such).
    case send(String)
    /// Waits before the next step.
    case pause(Double)
    /// Reads until an interim (1xx) response has arrived, or two seconds have passed.
    case awaitInterim
    /// Sends one byte at a time, `interval` seconds apart, for at most `limit` seconds, stopping
    /// as soon as the proxy answers or closes.
    case drip(String, interval: Double, limit: Double)
    /// Shuts the client's sending side (its FIN), as `nc -N` does once its input has gone out.
    case halfClose
}

/// How a client connection ended.
enum ClientEnd: String, Sendable {
    /// The proxy closed it (read end of stream) after the responses.
    case closed = "closed by the proxy"
    /// The proxy reset it.
    case reset = "reset by the proxy"
    /// Still open a moment after the last expected response.
    case open = "left open"
}

/// A blocking TCP client socket to 127.0.0.1. (Not `RawClient`: its failed-connect path closes
/// the descriptor twice, once in `init` and once in `deinit`, which can close a socket another
/// thread has just opened under the same number — NIO then dies on EBADF. These tests run two
/// proxies side by side, so that race is real here.)
final class ClientSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var fd: Int32 = -1

    init(port: Int, timeout: Double = 5) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(error)")
        }
        fd = descriptor
    }

    /// Whether something accepts connections on 127.0.0.1:`port` right now.
    static func isAccepting(_ port: Int) -> Bool {
        (try? ClientSocket(port: port, timeout: 1)) != nil
    }

    /// Waits until something accepts connections on 127.0.0.1:`port`, giving up early once
    /// `alive` says the program meant to listen there has gone.
    static func waitUntilAccepting(_ port: Int, timeout: Double, alive: () -> Bool = { true }) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if isAccepting(port) { return true }
            guard alive() else { return false }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        return false
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
    }

    /// One read; empty at the end of the stream.
    func receive(maximum: Int = 65536) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maximum, 0) }
        guard count >= 0 else { throw Failure(description: "recv: errno \(errno)") }
        return Array(buffer[0..<count])
    }

    /// Sends the FIN: the client will send nothing more, and still reads.
    func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    deinit {
        if fd >= 0 { close(fd) }
    }
}

/// One client connection to a proxy: sends its steps, then reads and parses responses.
final class HTTPClientConnection {
    let client: ClientSocket
    private var buffer: [UInt8] = []
    private var ended: ClientEnd?
    private(set) var responses: [HTTPWire.Message] = []
    /// What went wrong reading (a timeout, bytes that are not a response).
    private(set) var problems: [String] = []
    /// Methods of the requests sent, to know which responses have no body (HEAD).
    private var methods: [String] = []
    private var sent: [UInt8] = []

    init(port: Int) throws {
        client = try ClientSocket(port: port)
    }

    var finalResponses: [HTTPWire.Message] { responses.filter { !(100..<200).contains($0.status) } }

    /// Runs the steps.
    func run(_ steps: [ClientStep]) {
        for step in steps {
            switch step {
            case .send(let text):
                send(HTTPWire.bytes(text))
            case .pause(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            case .awaitInterim:
                let deadline = Date().addingTimeInterval(2)
                while !responses.contains(where: { (100..<200).contains($0.status) }) && Date() < deadline && ended == nil {
                    fill(until: deadline)
                    parse(atEnd: ended != nil)
                }
                if !responses.contains(where: { (100..<200).contains($0.status) }) { problems.append("no interim response within 2s") }
            case .drip(let text, let interval, let limit):
                let end = Date().addingTimeInterval(limit)
                for byte in HTTPWire.bytes(text) {
                    guard ended == nil, buffer.isEmpty, Date() < end, send([byte]) else { break }
                    let next = Date().addingTimeInterval(interval)
                    while ended == nil && buffer.isEmpty && Date() < next { fill(until: next) }
                }
            case .halfClose:
                client.shutdownWrite()
            }
        }
    }

    /// Sends bytes; false if the proxy no longer takes them.
    @discardableResult
    private func send(_ bytes: [UInt8]) -> Bool {
        sent += bytes
        methods = Self.requestMethods(in: sent)
        do {
            try client.send(bytes)
            return true
        } catch {
            problems.append("send failed: \(error)")
            return false
        }
    }

    /// Reads until `count` final responses have arrived (or the stream ends, or `timeout` passes),
    /// then watches for `grace` seconds whether the proxy closes the connection.
    func collect(finalResponses count: Int, timeout: Double = 3, grace: Double = 0.3) {
        let deadline = Date().addingTimeInterval(timeout)
        parse(atEnd: false)
        while finalResponses.count < count && ended == nil {
            guard Date() < deadline else {
                problems.append("timed out after \(timeout)s waiting for response \(finalResponses.count + 1) of \(count)")
                break
            }
            fill(until: deadline)
            parse(atEnd: ended != nil)
        }
        if ended == nil {
            let watchEnd = Date().addingTimeInterval(grace)
            while ended == nil && Date() < watchEnd {
                fill(until: watchEnd)
            }
            parse(atEnd: ended != nil)
        }
        if !buffer.isEmpty {
            problems.append("bytes after the responses: \(HTTPWire.printable(buffer.prefix(300)))")
            buffer.removeAll()
        }
    }

    var end: ClientEnd { ended ?? .open }

    /// One read, waiting at most until `deadline`.
    private func fill(until deadline: Date) {
        let milliseconds = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
        var descriptor = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return }
        do {
            let chunk = try client.receive()
            if chunk.isEmpty { ended = .closed } else { buffer += chunk }
        } catch {
            ended = "\(error)".contains("errno 104") ? .reset : .closed
        }
    }

    private func parse(atEnd: Bool) {
        while !buffer.isEmpty {
            let index = finalResponses.count
            let method = index < methods.count ? methods[index] : "GET"
            switch HTTPWire.parseResponse(buffer[...], requestMethod: method, atEnd: atEnd) {
            case .incomplete:
                return
            case .invalid(let reason):
                problems.append(reason)
                buffer.removeAll()
                return
            case .complete(let message, let consumed):
                responses.append(message)
                buffer.removeFirst(consumed)
            }
        }
    }

    /// The methods of the requests in `bytes`, as far as they can be read (GET for the rest).
    static func requestMethods(in bytes: [UInt8]) -> [String] {
        var methods: [String] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            guard case .complete(let message, let consumed) = HTTPWire.parseRequest(rest) else { break }
            methods.append(message.firstWord)
            rest = rest.dropFirst(consumed)
        }
        return methods
    }

    /// How many requests `bytes` hold, as far as they can be read (at least one if anything was sent).
    static func requestCount(in steps: [ClientStep]) -> Int {
        var bytes: [UInt8] = []
        for step in steps {
            switch step {
            case .send(let text), .drip(let text, _, _): bytes += HTTPWire.bytes(text)
            case .pause, .awaitInterim, .halfClose: break
            }
        }
        return max(bytes.isEmpty ? 0 : 1, requestMethods(in: bytes).count)
    }
}
