import Glibc
import NIOCore
import Testing

@testable import UsherProxy

/// Which accept errors pause a listener, and the alert they give (HAProxy 2.6's words, from its
/// `sock_accept_conn`).
struct AcceptShortageTests {
    @Test(arguments: [
        (EMFILE, "process FD limit"), (ENFILE, "system FD limit"), (ENOBUFS, "system memory limit"), (ENOMEM, "system memory limit"),
    ])
    func shortagesAreNamed(_ code: Int32, _ name: String) {
        #expect(AcceptShortage.of(IOError(errnoCode: code, reason: "accept")) == name)
    }

    @Test(arguments: [ECONNABORTED, EINTR, EINVAL, ECONNRESET])
    func otherErrorsAreNotShortages(_ code: Int32) {
        #expect(AcceptShortage.of(IOError(errnoCode: code, reason: "accept")) == nil)
    }

    @Test func aNonIOErrorIsNotAShortage() {
        #expect(AcceptShortage.of(ChannelError.ioOnClosedChannel) == nil)
    }

    @Test func theAlertSaysWhatToCheck() {
        let process = AcceptShortage.message(proxy: "fe", shortage: "process FD limit")
        #expect(process.hasPrefix("Proxy fe reached process FD limit (maxsock="))
        #expect(process.hasSuffix("). Please check 'ulimit-n' and restart."))
        let system = AcceptShortage.message(proxy: "GLOBAL", shortage: "system FD limit")
        #expect(system.hasPrefix("Proxy GLOBAL reached system FD limit (maxsock="))
        #expect(system.hasSuffix("). Please check system tunables."))
    }
}
