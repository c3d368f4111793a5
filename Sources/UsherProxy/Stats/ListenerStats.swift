import Atomics
import NIOConcurrencyHelpers

/// One listening socket's counters, for the stats' listener rows (`option socket-stats`): the
/// sessions it accepted and what they carried, apart from the frontend's other sockets.
public final class ListenerStats: Sendable {
    /// The listener's number in its frontend, from 1 (the `sid` column).
    public let id: Int
    /// `sock-N`, HAProxy's name for an unnamed listener.
    public let name: String
    public let counters = StatCounters()
    /// Sessions open on it now.
    let activeSessions = ManagedAtomic<Int>(0)
    /// Where it listens (`addr`), known once bound.
    let address = NIOLockedValueBox("")

    init(id: Int) {
        self.id = id
        self.name = "sock-\(id)"
    }

    /// A connection was accepted on this socket.
    func sessionStarted() {
        counters.add(.sessions)
        counters.notePeak(.sessions, activeSessions.wrappingIncrementThenLoad(ordering: .relaxed))
    }

    /// A session from this socket ended, having carried `bytesIn` and `bytesOut`.
    func sessionEnded() {
        activeSessions.wrappingDecrement(ordering: .relaxed)
    }
}
