import Testing
import UsherConfig

@testable import UsherRouting

/// The check sequence machine alone: scripted answers in, actions and HAProxy's statuses out.
@Suite("TCPCheckStateMachine")
struct TCPCheckStateMachineTests {
    static let here = UsherConfig.SourceLocation(file: "t.cfg", line: 1)

    static func rule(_ action: TCPCheckRule.Action, comment: String? = nil) -> TCPCheckRule {
        TCPCheckRule(action, comment: comment, location: here)
    }

    static func machine(_ rules: [TCPCheckRule]) throws -> TCPCheckStateMachine {
        TCPCheckStateMachine(program: try TCPCheckProgram(rules: rules), processVariables: ProcessVariables())
    }

    static func machine(_ check: ProtocolCheck) -> TCPCheckStateMachine {
        TCPCheckStateMachine(program: TCPCheckProgram(protocolCheck: check), processVariables: ProcessVariables())
    }

    /// The verdict among `actions`, if the check ended.
    static func verdict(_ actions: [TCPCheckStateMachine.Action]) -> CheckVerdict? {
        for case .finish(let verdict) in actions { return verdict }
        return nil
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: - tcp-check rules

    @Test func connectOnlyIsALayer4Check() throws {
        var machine = try Self.machine([Self.rule(.connect(.init()))])
        #expect(machine.start() == [.connect(.init())])
        #expect(Self.verdict(machine.connected()) == CheckVerdict(.l4OK))
    }

    @Test func bannerCheckWaitsForItsPattern() throws {
        var machine = try Self.machine([Self.rule(.expect(.init(match: .string("+OK"))))])
        #expect(machine.start() == [.connect(.init())])  // the implicit first connection
        #expect(machine.connected() == [.wait])
        #expect(machine.received(Self.bytes("+O")) == [.wait])
        #expect(Self.verdict(machine.received(Self.bytes("K POP3 ready\r\n"))) == CheckVerdict(.l7OK, code: 0, info: "(tcp-check)"))
    }

    @Test func wrongBannerFailsWhenTheServerCloses() throws {
        var machine = try Self.machine([Self.rule(.comment("banner phase")), Self.rule(.expect(.init(match: .string("+OK"))))])
        _ = machine.start()
        _ = machine.connected()
        #expect(machine.received(Self.bytes("-ERR nope\r\n")) == [.wait])
        let verdict = Self.verdict(machine.closedByPeer())
        #expect(verdict == CheckVerdict(.l7Response, info: "TCPCHK did not match content '+OK' at step 2 comment: banner phase"))
    }

    @Test func minRecvMakesAMismatchConclusive() throws {
        var machine = try Self.machine([Self.rule(.expect(.init(match: .string("-ERR"), minimumReceived: 4)))])
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.received(Self.bytes("+OK ready\r\n")))?.status == .l7Response)
        var negated = try Self.machine([Self.rule(.expect(.init(negated: true, match: .string("-ERR"), minimumReceived: 4)))])
        _ = negated.start()
        _ = negated.connected()
        #expect(Self.verdict(negated.received(Self.bytes("+OK ready\r\n")))?.status == .l7OK)
    }

    @Test func unwantedContentFailsAtOnce() throws {
        var machine = try Self.machine([Self.rule(.expect(.init(negated: true, match: .string("-ERR"))))])
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.received(Self.bytes("-ERR x\r\n"))) == CheckVerdict(.l7Response, info: "TCPCHK matched unwanted content '-ERR' at step 1"))
    }

    @Test func timeoutWhileExpectingUsesTheRulesStatus() throws {
        var machine = try Self.machine([Self.rule(.expect(.init(match: .string("+OK"))))])
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.timedOut()) == CheckVerdict(.l7Timeout, info: "at step 1 of tcp-check (expect string '+OK')"))
        var custom = try Self.machine([Self.rule(.expect(.init(match: .string("+OK"), timeoutStatus: .l4Timeout)))])
        _ = custom.start()
        _ = custom.connected()
        #expect(Self.verdict(custom.timedOut())?.status == .l4Timeout)
    }

    @Test func emptyAnswer() throws {
        var machine = try Self.machine([Self.rule(.expect(.init(match: .string("+OK"))))])
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.closedByPeer()) == CheckVerdict(.l7Response, info: "TCPCHK got an empty response at step 1"))
    }

    @Test func sendEmptiesTheBufferAndExpectsShareIt() throws {
        var machine = try Self.machine([
            Self.rule(.expect(.init(match: .string("+OK")))), Self.rule(.expect(.init(match: .string("ready")))),
            Self.rule(.send(.text("PING\r\n"))), Self.rule(.expect(.init(match: .string("+PONG")))),
        ])
        _ = machine.start()
        _ = machine.connected()
        // Both expects read the banner; the send empties it; the last expect waits for its answer.
        #expect(machine.received(Self.bytes("+OK ready\r\n")) == [.send(Self.bytes("PING\r\n")), .wait])
        #expect(Self.verdict(machine.received(Self.bytes("+PONG\r\n")))?.status == .l7OK)
    }

    @Test func severalConnectionsEachReported() throws {
        var machine = try Self.machine([
            Self.rule(.connect(.init())), Self.rule(.expect(.init(match: .string("+OK")))),
            Self.rule(.connect(.init(port: 143)), comment: "imap"), Self.rule(.expect(.init(match: .string("* OK")))),
        ])
        #expect(machine.start() == [.connect(.init())])
        #expect(machine.connected() == [.wait])
        #expect(machine.received(Self.bytes("+OK\r\n")) == [.connect(.init(port: 143))])
        let failed = Self.verdict(machine.connectFailed(timedOut: false, reason: "Connection refused"))
        #expect(failed == CheckVerdict(.l4Connection, info: "Connection refused at step 3 of tcp-check (connect port 143) comment: imap"))
    }

    @Test func customStatusesAndMessages() throws {
        var machine = try Self.machine([
            Self.rule(.variable(.set(VariableAssignment(variable: try VariableName.parse("check.role").get(), value: .format("master"))))),
            Self.rule(.send(.textFormat("ROLE %[var(check.role)]\r\n"))),
            Self.rule(.expect(.init(match: .stringFormat("%[var(check.role)]"), errorStatus: .l7Status, onError: "not %[var(check.role)]"))),
        ])
        #expect(machine.start() == [.connect(.init())])
        #expect(machine.connected() == [.send(Self.bytes("ROLE master\r\n")), .wait])
        #expect(machine.received(Self.bytes("slave\r\n")) == [.wait])
        #expect(Self.verdict(machine.closedByPeer()) == CheckVerdict(.l7Status, code: 0, info: "not master"))
    }

    @Test func binaryRegexReadsHexadecimal() throws {
        var machine = try Self.machine([Self.rule(.expect(.init(match: .binaryRegex("^2B504F4E47"), okStatus: .l4OK, onSuccess: "pong")))])
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.received(Self.bytes("+PONG\r\n"))) == CheckVerdict(.l4OK, info: "pong"))
    }

    @Test func connectFailureOfTheImplicitConnection() throws {
        var machine = try Self.machine([Self.rule(.send(.text("x")))])
        _ = machine.start()
        #expect(Self.verdict(machine.connectFailed(timedOut: false, reason: "Connection refused")) == CheckVerdict(.l4Connection, info: "Connection refused"))
        var slow = try Self.machine([Self.rule(.send(.text("x")))])
        _ = slow.start()
        #expect(Self.verdict(slow.timedOut())?.status == .l4Timeout)
    }

    @Test func resetIsASocketError() throws {
        var machine = Self.machine(.redis)
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.socketError("Connection reset by peer")) == CheckVerdict(.socketError, info: "Connection reset by peer"))
    }

    // MARK: - Redis

    @Test func redisPong() {
        var machine = Self.machine(.redis)
        #expect(machine.start() == [.connect(.init())])
        // The RESP array HAProxy sends (its redis-check reg-test only lets those 14 bytes through).
        #expect(machine.connected() == [.send(Self.bytes("*1\r\n$4\r\nPING\r\n")), .wait])
        #expect(machine.received(Self.bytes("+PO")) == [.wait])
        #expect(Self.verdict(machine.received(Self.bytes("NG\r\n"))) == CheckVerdict(.l7OK, code: 0, info: "Redis server is ok"))
    }

    @Test func redisErrorReply() {
        var machine = Self.machine(.redis)
        _ = machine.start()
        _ = machine.connected()
        #expect(Self.verdict(machine.received(Self.bytes("-LOADING Redis is loading\r\n"))) == CheckVerdict(.l7Status, info: "-LOADING Redis is loading"))
        var silent = Self.machine(.redis)
        _ = silent.start()
        _ = silent.connected()
        #expect(Self.verdict(silent.timedOut())?.status == .l7Timeout)
    }

    // MARK: - SMTP

    @Test func smtpConversation() {
        var machine = Self.machine(.smtp(hello: "EHLO", domain: "check.test"))
        _ = machine.start()
        #expect(machine.connected() == [.wait])
        #expect(machine.received(Self.bytes("220 mx.test ESMTP\r\n")) == [.send(Self.bytes("EHLO check.test\r\n")), .wait])
        // A multi-line reply is judged once its last line is in.
        #expect(machine.received(Self.bytes("250-mx.test\r\n")) == [.wait])
        #expect(machine.received(Self.bytes("250 SIZE 1000\r\n")) == [.send(Self.bytes("QUIT\r\n")), .wait])
        #expect(Self.verdict(machine.received(Self.bytes("221 bye\r\n"))) == CheckVerdict(.l7OK, code: 221, info: "bye"))
    }

    @Test func smtpRefusalAndGarbage() {
        var refused = Self.machine(.smtp(hello: "HELO", domain: "localhost"))
        _ = refused.start()
        _ = refused.connected()
        #expect(Self.verdict(refused.received(Self.bytes("554 go away\r\n"))) == CheckVerdict(.l7Status, code: 554, info: "go away"))
        var garbage = Self.machine(.smtp(hello: "HELO", domain: "localhost"))
        _ = garbage.start()
        _ = garbage.connected()
        #expect(Self.verdict(garbage.received(Self.bytes("+OK POP3 ready\r\n"))) == CheckVerdict(.l7Response, info: "+OK POP3 ready"))
        var short = Self.machine(.smtp(hello: "HELO", domain: "localhost"))
        _ = short.start()
        _ = short.connected()
        #expect(short.received(Self.bytes("22")) == [.wait])
        #expect(Self.verdict(short.closedByPeer())?.status == .l7Response)
    }

    // MARK: - MySQL

    /// A protocol-10 greeting packet with `version`.
    static func mysqlGreeting(_ version: String) -> [UInt8] {
        let payload: [UInt8] = [10] + bytes(version) + [0] + [1, 0, 0, 0] + [UInt8](repeating: 0x41, count: 8) + [0, 0xFF, 0xF7, 0x21, 0x02, 0x00]
        return [UInt8(payload.count), 0, 0, 0] + payload
    }

    static func mysqlError(_ number: UInt16, _ message: String, sequence: UInt8) -> [UInt8] {
        let payload: [UInt8] = [0xFF, UInt8(number & 0xFF), UInt8(number >> 8)] + bytes("#HY000") + bytes(message)
        return [UInt8(payload.count), 0, 0, sequence] + payload
    }

    @Test func mysqlGreetingOnly() {
        var machine = Self.machine(.mysql(user: nil, post41: true))
        _ = machine.start()
        #expect(machine.connected() == [.wait])
        let greeting = Self.mysqlGreeting("10.11.6-MariaDB")
        #expect(machine.received(greeting.prefix(10)) == [.wait])
        #expect(Self.verdict(machine.received(greeting.dropFirst(10))) == CheckVerdict(.l7OK, code: 0, info: "10.11.6-MariaDB"))
    }

    @Test func mysqlLogin() throws {
        var machine = Self.machine(.mysql(user: "haproxy", post41: true))
        _ = machine.start()
        _ = machine.connected()
        let actions = machine.received(Self.mysqlGreeting("8.0.36"))
        guard case .send(let sent) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        // Packet 1, the login: capabilities with CLIENT_PROTOCOL_41, the user; then COM_QUIT as packet 0.
        #expect(sent[3] == 1 && sent[5] & 0x02 == 0x02)
        #expect(sent.firstRange(of: Self.bytes("haproxy") + [0]) != nil)
        #expect(Array(sent.suffix(5)) == [1, 0, 0, 0, 0x01])
        #expect(Self.verdict(machine.received([7, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0]))?.status == .l7OK)
        var denied = Self.machine(.mysql(user: "haproxy", post41: false))
        _ = denied.start()
        _ = denied.connected()
        _ = denied.received(Self.mysqlGreeting("5.7.44"))
        let verdict = Self.verdict(denied.received(Self.mysqlError(1045, "Access denied for user 'haproxy'", sequence: 2)))
        #expect(verdict == CheckVerdict(.l7Status, code: 1045, info: "Access denied for user 'haproxy'"))
    }

    @Test func mysqlRefusesAtGreetingOrGetsNonsense() {
        var blocked = Self.machine(.mysql(user: nil, post41: true))
        _ = blocked.start()
        _ = blocked.connected()
        #expect(Self.verdict(blocked.received(Self.mysqlError(1129, "Host is blocked", sequence: 0))) == CheckVerdict(.l7Status, code: 1129, info: "Host is blocked"))
        var other = Self.machine(.mysql(user: nil, post41: true))
        _ = other.start()
        _ = other.connected()
        #expect(Self.verdict(other.received(Self.bytes("+OK POP3 ready\r\n")))?.status == .l7Response)
    }

    // MARK: - PostgreSQL

    @Test func pgsqlStartupAndAuthentication() {
        var machine = Self.machine(.pgsql(user: "postgres"))
        _ = machine.start()
        let startup = ProtocolProbe.pgsqlStartup(user: "postgres")
        #expect(machine.connected() == [.send(startup), .wait])
        #expect(Array(startup.prefix(8)) == [0, 0, 0, UInt8(startup.count), 0, 3, 0, 0])
        #expect(machine.received([UInt8(ascii: "R"), 0, 0, 0, 8, 0, 0]) == [.wait])
        #expect(Self.verdict(machine.received([0, 0])) == CheckVerdict(.l7OK, code: 0, info: "PostgreSQL server is ok"))
    }

    @Test func pgsqlPasswordOrError() {
        var password = Self.machine(.pgsql(user: "postgres"))
        _ = password.start()
        _ = password.connected()
        #expect(Self.verdict(password.received([UInt8(ascii: "R"), 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4]))?.status == .l7Status)
        var error = Self.machine(.pgsql(user: "nobody"))
        _ = error.start()
        _ = error.connected()
        let fields: [UInt8] = [UInt8(ascii: "S")] + Self.bytes("FATAL") + [0, UInt8(ascii: "M")] + Self.bytes("role \"nobody\" does not exist") + [0, 0]
        let message: [UInt8] = [UInt8(ascii: "E"), 0, 0, 0, UInt8(fields.count + 4)] + fields
        #expect(Self.verdict(error.received(message)) == CheckVerdict(.l7Response, info: "role \"nobody\" does not exist"))
    }

    // MARK: - LDAP

    @Test func ldapBind() {
        var machine = Self.machine(.ldap)
        _ = machine.start()
        #expect(machine.connected() == [.send(ProtocolProbe.ldapBind), .wait])
        let success: [UInt8] = [0x30, 0x0C, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0A, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]
        #expect(machine.received(success.prefix(6)) == [.wait])
        #expect(Self.verdict(machine.received(success.dropFirst(6)))?.status == .l7OK)
        var refused = Self.machine(.ldap)
        _ = refused.start()
        _ = refused.connected()
        let invalid: [UInt8] = [0x30, 0x0C, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0A, 0x01, 0x31, 0x04, 0x00, 0x04, 0x00]
        #expect(Self.verdict(refused.received(invalid))?.status == .l7Status)
        var other = Self.machine(.ldap)
        _ = other.start()
        _ = other.connected()
        #expect(Self.verdict(other.received(Self.bytes("+OK POP3 ready\r\n"))) == CheckVerdict(.l7Response, info: "Not LDAPv3 protocol"))
    }
}
