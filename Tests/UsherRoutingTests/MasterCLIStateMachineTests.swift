import Testing
import UsherConfig
@testable import UsherRouting

/// The master CLI's protocol alone: targets, prefixes, prompt, reload, closing.
struct MasterCLIStateMachineTests {
    let processes = MasterCLIStateMachine.Processes(current: [200], old: [100])

    /// Feeds `text`; the forwarded commands are recorded, and answered `answer from PID`.
    func run(_ machine: inout MasterCLIStateMachine, _ text: String, forwarded: inout [String]) -> [MasterCLIStateMachine.Action] {
        var sent: [String] = []
        let actions = machine.receive(
            Array(text.utf8), processes: processes, showProc: { "PROCS\n" }, version: "1.0",
            forward: { pid, command in
                sent.append("\(pid):\(command)")
                return pid == 100 ? nil : "answer from \(pid)\n\n"
            })
        forwarded += sent
        return actions
    }

    @Test func prefixesReachWorkersAndTheMaster() {
        var machine = MasterCLIStateMachine()
        var forwarded: [String] = []
        let actions = run(&machine, "@1 show info; @!200 show stat; @master show proc; show version\n", forwarded: &forwarded)
        #expect(forwarded == ["200:show info", "200:show stat"])
        #expect(actions == [.write("answer from 200\n\nanswer from 200\n\nPROCS\n\n1.0\n\n"), .close])
    }

    @Test func aPrefixAloneChangesTheTargetAndThePrompt() {
        var machine = MasterCLIStateMachine()
        var forwarded: [String] = []
        var actions = run(&machine, "prompt\n", forwarded: &forwarded)
        #expect(actions == [.write("master> ")])
        actions = run(&machine, "@1\nshow info\n", forwarded: &forwarded)
        #expect(actions == [.write("200> answer from 200\n\n200> ")])
        actions = run(&machine, "@\nshow proc\n", forwarded: &forwarded)
        #expect(actions == [.write("master> PROCS\n\nmaster> ")])
        #expect(forwarded == ["200:show info"])
        #expect(!machine.isClosed)
        #expect(run(&machine, "quit\n", forwarded: &forwarded) == [.close])
    }

    @Test func unknownTargetsAndUnreachableWorkersAreSaidSo() {
        var machine = MasterCLIStateMachine()
        var forwarded: [String] = []
        let actions = run(&machine, "@5 show info; @!999 show info; @!100 show info\n", forwarded: &forwarded)
        #expect(actions == [.write(
            "Can't find the target PID matching the prefix '@5'\nCan't find the target PID matching the prefix '@!999'\nCan't connect to the target CLI!\n"
        ), .close])
        // Old workers are reachable by PID only.
        #expect(forwarded == ["100:show info"])
    }

    @Test func reloadClosesThenReloads() {
        var machine = MasterCLIStateMachine()
        var forwarded: [String] = []
        #expect(run(&machine, "reload; show proc\n", forwarded: &forwarded) == [.close, .reload])
        var user = MasterCLIStateMachine(level: .user)
        #expect(run(&user, "reload\n", forwarded: &forwarded) == [.write("Permission denied\n\n"), .close])
    }

    @Test func wordsAreEscapedForTheWorker() {
        var machine = MasterCLIStateMachine()
        var forwarded: [String] = []
        _ = run(&machine, "@1 set var proc.x str(a\\ b\\;c)\n", forwarded: &forwarded)
        #expect(forwarded == ["200:set var proc.x str(a\\ b\\;c)"])
        #expect(RuntimeAPIRequest.parse(line: Array("set var proc.x str(a\\ b\\;c)".utf8)).first?.words == ["set", "var", "proc.x", "str(a b;c)"])
    }

    @Test func unknownCommandsListWhatTheMasterKnows() {
        var machine = MasterCLIStateMachine()
        var forwarded: [String] = []
        let actions = run(&machine, "frob\n", forwarded: &forwarded)
        guard case .write(let text)? = actions.first else {
            Issue.record("no answer")
            return
        }
        #expect(text.hasPrefix("Unknown command. Please enter one of the following commands only:\n  @!<pid>"))
        #expect(text.contains("  show proc                               : show processes status\n"))
    }

    @Test func showProcIsLaidOutAsHAProxys() {
        let text = MasterCLIStateMachine.showProc(
            master: (pid: 21347, reloads: 1, failedReloads: 0, uptime: 23), version: "2.6.12-1+deb12u4",
            workers: [(pid: 21768, reloads: 0, uptime: 2, current: true), (pid: 21350, reloads: 1, uptime: 90_061, current: false)])
        // As HAProxy 2.6.12 printed it for the same processes (an old worker added).
        #expect(text == """
            #<PID>          <type>          <reloads>       <uptime>        <version>      
            21347           master          1 [failed: 0]   0d00h00m23s     2.6.12-1+deb12u4
            # workers
            21768           worker          0               0d00h00m02s     2.6.12-1+deb12u4
            # old workers
            21350           worker          1               1d01h01m01s     2.6.12-1+deb12u4
            # programs

            """)
    }
}
