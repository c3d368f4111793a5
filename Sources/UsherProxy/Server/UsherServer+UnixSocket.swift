import NIOCore
import NIOPosix
import UsherConfig

extension UsherServer {
    /// Binds a frontend's UNIX-domain listener: an abstract name directly (it has no file), a path
    /// through `UnixSocketFile`, which applies the bind's `mode`, `uid` and `gid` and replaces a
    /// stale file, and removes the file again when listening stops.
    func bindUnixListener(
        _ bootstrap: ServerBootstrap, to name: UnixSocketName, bind: Bind, frontend: FrontendRuntime
    ) throws -> (channel: Channel, file: UnixSocketFile?) {
        func failure(_ error: Error) -> StartError {
            StartError(description: "\(frontend.routes.proxy.kind.rawValue) '\(frontend.name)' cannot bind UNIX socket \(name) (\(bind.location)): \(error)")
        }
        switch name {
        case .abstract:
            do {
                return (try bootstrap.bind(to: SocketAddress(unixSocket: name)).wait(), nil)
            } catch {
                throw failure(error)
            }
        case .path(let path):
            let temporary = UnixSocketFile.bindingName(for: path)
            let channel: Channel
            do {
                channel = try bootstrap.bind(to: SocketAddress(unixSocket: .path(temporary))).wait()
            } catch {
                throw failure(error)
            }
            do {
                let file = try UnixSocketFile.install(temporary: temporary, at: path, permissions: bind.unixPermissions)
                unixSocketFiles.withLockedValue { $0.append(file) }
                return (channel, file)
            } catch {
                try? channel.close().wait()
                throw failure(error)
            }
        }
    }
}
