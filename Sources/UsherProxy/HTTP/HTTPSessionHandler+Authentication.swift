import Atomics
import NIOCore
import NIOPosix
import UsherRouting

/// Password checks for `http_auth` and `http_auth_group`, off the event loops.
///
/// Checking a crypt(3) hash takes about 1 ms for SHA-512 (5000 rounds) and tens of milliseconds for
/// yescrypt or bcrypt: on an event loop it would hold every other connection of that loop. So when
/// a request brings Basic credentials for a user whose hashed password is not yet known to match,
/// the head waits (nothing more is read from that client) while a small thread pool makes the
/// checks; then the request goes on with the results, which its rules read. Matches are cached
/// (`CredentialVerifier`), so a logged-in client goes through without waiting.
extension HTTPSessionHandler {
    /// Starts the checks `head` needs, if any: returns true when the request waits for them (it
    /// is then started when they are done).
    func checkCredentialsFirst(_ head: HTTPRequestHead, raw: ByteBuffer) -> Bool {
        guard let pending = runtime.table.authentication.pendingHashes(head.headers), let context else { return false }
        state.credentialCheckStarted()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        CredentialCheckPool.check(pending.password, hashes: pending.hashes, verifier: pending.verifier, eventLoop: context.eventLoop)
            .whenComplete { result in
                let handler = loopBound.value
                handler.state.credentialCheckEnded()
                guard !handler.closed else { return }
                handler.credentialResults = (try? result.get()) ?? [:]
                handler.startExchange(head, raw: raw)
                handler.processInbound()
            }
        return true
    }
}

/// The threads that check passwords, shared by every connection of the process.
enum CredentialCheckPool {
    /// Checks waiting or running beyond this fail at once (the request gets its 401): a flood of
    /// wrong passwords must not queue work without bound. Cached matches are not affected.
    static let maximumWaiting = 256

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()
    private static let waiting = ManagedAtomic<Int>(0)

    /// The result of each check, by hash, delivered on `eventLoop`.
    static func check(_ password: String, hashes: [String], verifier: CredentialVerifier, eventLoop: EventLoop) -> EventLoopFuture<[String: Bool]> {
        guard waiting.loadThenWrappingIncrement(ordering: .relaxed) < maximumWaiting else {
            waiting.wrappingDecrement(ordering: .relaxed)
            return eventLoop.makeSucceededFuture(Dictionary(uniqueKeysWithValues: hashes.map { ($0, false) }))
        }
        return pool.runIfActive(eventLoop: eventLoop) {
            defer { waiting.wrappingDecrement(ordering: .relaxed) }
            var results: [String: Bool] = [:]
            for hash in hashes { results[hash] = verifier.verify(password, hash: hash) }
            return results
        }
    }
}
