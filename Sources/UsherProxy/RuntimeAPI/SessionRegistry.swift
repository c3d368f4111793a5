import NIOConcurrencyHelpers
import NIOCore

/// Every live client session, for `show sess` and `shutdown session(s)`: one insertion when a
/// connection opens and one removal when it closes.
public final class SessionRegistry: Sendable {
    private let sessions = NIOLockedValueBox<[UInt: LiveSession]>([:])

    public init() {}

    /// Registers the session of `channel`; it leaves the registry when the channel closes.
    /// `generation`: the configuration that serves it (`ProxyRuntime.generation`).
    func open(channel: Channel, frontendName: String?, generation: Int = 0) -> LiveSession {
        let session = LiveSession(channel: channel, frontendName: frontendName, generation: generation)
        let id = session.id
        sessions.withLockedValue { $0[id] = session }
        channel.closeFuture.whenComplete { [sessions] _ in
            _ = sessions.withLockedValue { $0.removeValue(forKey: id) }
        }
        return session
    }

    /// The sessions open now, oldest first.
    var all: [LiveSession] {
        sessions.withLockedValue { Array($0.values) }.sorted { ($0.openedMilliseconds, $0.id) < ($1.openedMilliseconds, $1.id) }
    }

    func session(id: UInt) -> LiveSession? {
        sessions.withLockedValue { $0[id] }
    }

    public var count: Int { sessions.withLockedValue { $0.count } }
}
