/// What an operator made of a server, on top of what its checks say (HAProxy's admin state).
public enum ServerAdminState: UInt8, Sendable, CaseIterable {
    /// Takes traffic as its checks allow.
    case ready = 0
    /// Takes no new clients; persistent ones (cookie, `use-server`) still reach it.
    case drain = 1
    /// Takes nothing new; connections under way go on until they end.
    case maintenance = 2
}
