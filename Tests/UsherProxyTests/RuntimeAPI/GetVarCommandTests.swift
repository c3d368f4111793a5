import Foundation
import Testing

/// `get var proc.NAME`: a process-wide variable's type and value, one line without the closing
/// empty line (HAProxy 2.6.12 answers `proc.int5: type=sint value=<5>\n`, as its vars reg-test
/// expects).
@Suite(.serialized)
struct GetVarCommandTests {
    @Test func processVariablesAreShownWithTheirType() throws {
        let fixture = try RuntimeAPIFixture(global: """
                set-var proc.int5 int(5)
                set-var proc.name str("a string")
                set-var proc.flag bool(1)
            """)
        defer { fixture.stop() }
        #expect(try fixture.ask("get var proc.int5") == "proc.int5: type=sint value=<5>\n")
        #expect(try fixture.ask("get var proc.name") == "proc.name: type=str value=<a string>\n")
        #expect(try fixture.ask("get var proc.flag") == "proc.flag: type=bool value=<1>\n")
        #expect(try fixture.ask("get var proc.nosuch") == "Variable not found.\n\n")
        #expect(try fixture.ask("get var txn.x").contains("'proc.'"))
    }
}
