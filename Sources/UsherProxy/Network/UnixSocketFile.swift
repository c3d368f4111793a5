#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import UsherConfig

/// The file of a listening UNIX socket: its permissions and owner set before it appears at its
/// path, and its removal when the listener stops.
///
/// A listener binds a temporary name next to the path, applies `mode`/`uid`/`gid` there, then renames
/// it over the path, as HAProxy does: whatever was at the path (a stale socket left by a crash, a
/// previous process still serving during a reload) is replaced in one step, and no client ever
/// sees the socket before its permissions are right. On stop the file is removed only if the path
/// still names this socket, so a newer process's socket is left alone.
struct UnixSocketFile: Sendable {
    /// An error from the file system, in words a user can act on.
    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// Where to bind before the rename: the path with `.PID.tmp` appended, cleared of anything a
    /// crashed start left there. When that name does not fit in `sun_path` (a path near the 97-byte
    /// limit and a pid of six digits or more), the path itself, cleared of the stale file: the
    /// socket then shows the umask's permissions until `install` sets them.
    static func bindingName(for path: String) -> String {
        let temporary = "\(path).\(getpid()).tmp"
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        let name = temporary.utf8.count < capacity ? temporary : path
        _ = unlink(name)
        return name
    }

    /// Applies `permissions` to the socket bound at `temporary` and renames it to `path`.
    static func install(temporary: String, at path: String, permissions: UnixSocketPermissions) throws -> UnixSocketFile {
        do {
            if permissions.userID != nil || permissions.groupID != nil {
                let user = permissions.userID.map { uid_t($0) } ?? uid_t.max  // -1: unchanged
                let group = permissions.groupID.map { gid_t($0) } ?? gid_t.max
                guard chown(temporary, user, group) == 0 else { throw failure("cannot change the owner of", temporary) }
            }
            if let mode = permissions.mode {
                guard chmod(temporary, mode_t(mode)) == 0 else { throw failure("cannot change the mode of", temporary) }
            }
            if temporary != path {
                guard rename(temporary, path) == 0 else { throw failure("cannot rename \(temporary) to", path) }
            }
        } catch {
            _ = unlink(temporary)  // our own socket, under either name
            throw error
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("cannot stat", path) }
        return UnixSocketFile(path: path, device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// Removes the file if the path still names this socket.
    func remove() {
        var info = stat()
        guard stat(path, &info) == 0, UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode else { return }
        _ = unlink(path)
    }

    private init(path: String, device: UInt64, inode: UInt64) {
        self.path = path
        self.device = device
        self.inode = inode
    }

    private static func failure(_ what: String, _ path: String) -> FileError {
        let reason = strerror(errno).map { String(cString: $0) } ?? "error \(errno)"
        return FileError(description: "\(what) \(path): \(reason)")
    }
}
