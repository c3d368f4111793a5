/// The bind options that set a UNIX socket file's access: `mode` (octal permission bits), `uid`/`user`
/// (owner) and `gid`/`group`. Names are resolved to numbers while parsing, as HAProxy does, so an
/// unknown user is a configuration error with its line, not a failure at start.
public struct UnixSocketPermissions: Sendable, Equatable {
    /// Permission bits, e.g. `0o660`; nil keeps what the process umask gives.
    public var mode: UInt32?
    /// The owner to give the file; nil keeps the process's.
    public var userID: UInt32?
    /// The group to give the file; nil keeps the process's.
    public var groupID: UInt32?

    public init(mode: UInt32? = nil, userID: UInt32? = nil, groupID: UInt32? = nil) {
        self.mode = mode
        self.userID = userID
        self.groupID = groupID
    }

    /// Nothing to change.
    public var isEmpty: Bool { mode == nil && userID == nil && groupID == nil }
}
