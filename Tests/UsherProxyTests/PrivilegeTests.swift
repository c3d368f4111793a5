import Foundation
import Testing

/// The seed binds its ports as root, then runs unprivileged: `user`/`group` are taken and `chroot`
/// entered after binding. Checked on a real `usher` process through /proc (needs root, as CI is).
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to change user and chroot"))
final class PrivilegeTests {
    @Test func dropsToUserAndGroupAndEntersChrootAfterBinding() throws {
        let backend = try TCPBackend(name: "app", behaviour: .announce, group: testGroup)
        defer { backend.stop() }
        let directory = try ScratchDirectory()
        let jail = directory.path + "/jail"
        try FileManager.default.createDirectory(atPath: jail, withIntermediateDirectories: true)
        let port = freePort()
        let configuration = try directory.write("usher.cfg", """
            global
                user nobody
                group nogroup
                chroot \(jail)
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend app
            backend app
                server s1 127.0.0.1:\(backend.port)
            """)
        let usher = try UsherProcess(["-db", "-f", configuration])
        defer { usher.stop() }
        #expect(waitUntilListening(port), "\(usher.error)")
        let status = try String(contentsOfFile: "/proc/\(usher.pid)/status", encoding: .utf8)
        let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }.map(String.init) ?? ""
        let gidLine = status.split(separator: "\n").first { $0.hasPrefix("Gid:") }.map(String.init) ?? ""
        let nobody = try #require(getpwnam("nobody")?.pointee.pw_uid)
        let nogroup = try #require(getgrnam("nogroup")?.pointee.gr_gid)
        #expect(uidLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().allSatisfy { $0 == "\(nobody)" }, "\(uidLine)")
        #expect(gidLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().allSatisfy { $0 == "\(nogroup)" }, "\(gidLine)")
        let root = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(usher.pid)/root")
        #expect(root == jail, "the process root is the chroot")
        // And it still serves: the sockets were bound before the privileges went.
        let client = try RawClient(port: port)
        try client.send("hi")
        #expect(try client.receiveLine() == "app")
    }
}
