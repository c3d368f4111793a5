import Foundation
import NIOCore
import Testing

/// Byte forwarding through a TCP-mode proxy: large transfers both ways, byte for byte, with the
/// client's half-close carried to the server and the reply still delivered after it.
@Suite(.serialized)
final class TunnelTests {
    static func configuration(backendPort: Int, extra: String = "") -> String {
        """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 30s
            timeout server 30s
        frontend bulk
            bind 127.0.0.1:0
            default_backend app
        \(extra)
        backend app
            server s1 127.0.0.1:\(backendPort)
        """
    }

    @Test func hundredMegabytesEachWayWithHalfClose() throws {
        let size = 100 * 1024 * 1024
        let backend = try TCPBackend(name: "bulk", behaviour: .bulkReply(replyBytes: size), group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest(Self.configuration(backendPort: backend.port))
        defer { usher.stop() }

        let client = try RawClient(port: usher.port("bulk"), timeout: 60)
        // Upload on one thread while this one waits: the server replies only after our FIN.
        let uploadDone = DispatchSemaphore(value: 0)
        let uploadError = UploadError()
        Thread.detachNewThread {
            do {
                var offset = 0
                let chunk = 1 << 20
                while offset < size {
                    try client.send(BytePattern.bytes(count: chunk, offset: offset))
                    offset += chunk
                }
                client.shutdownWrite()
            } catch {
                uploadError.set("\(error)")
            }
            uploadDone.signal()
        }
        var received = 0
        var mismatch = false
        while true {
            let chunk = try client.receive(maximum: 1 << 20)
            if chunk.isEmpty { break }
            if !chunk.withUnsafeBytes({ BytePattern.matches($0, offset: received) }) { mismatch = true }
            received += chunk.count
        }
        uploadDone.wait()
        #expect(uploadError.value == nil)
        #expect(received == size, "the whole reply arrives after the client's half-close")
        #expect(!mismatch, "the reply is byte-exact")
        let uploads = backend.digest.completedUploads
        #expect(uploads.count == 1)
        #expect(uploads.first?.count == size, "the server sees the whole upload, then the FIN")
        #expect(uploads.first?.mismatches == 0, "the upload is byte-exact")
    }

    @Test func serverClosingFirstStillDeliversItsReply() throws {
        let backend = try TCPBackend(name: "announcer", behaviour: .bulkReply(replyBytes: 300_000), group: testGroup)
        defer { backend.stop() }
        let usher = try UsherUnderTest(Self.configuration(backendPort: backend.port))
        defer { usher.stop() }
        let client = try RawClient(port: usher.port("bulk"))
        try client.send(BytePattern.bytes(count: 1000))
        client.shutdownWrite()
        let reply = try client.receiveAll()
        #expect(reply.count == 300_000)
        #expect(reply.withUnsafeBytes { BytePattern.matches($0, offset: 0) })
    }
}

/// A thread-safe slot for an error message from another thread.
final class UploadError: @unchecked Sendable {
    private let lock = NSLock()
    private var message: String?

    func set(_ text: String) {
        lock.lock()
        message = text
        lock.unlock()
    }

    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return message
    }
}
