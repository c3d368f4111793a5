import Foundation
import NIOCore
import Testing
@testable import UsherConfig
@testable import UsherRouting

/// What a session keeps its variables in, for these tests.
final class TestVariables: VariableStorage {
    var sessionVariables: SessionVariables

    init(_ process: ProcessVariables = ProcessVariables()) {
        sessionVariables = SessionVariables(process: process)
    }

    // Through the class, so that `#expect` can call them.
    @discardableResult
    func set(_ name: String, _ value: SampleValue, _ conditions: [VariableCondition] = []) -> Bool {
        sessionVariables.set(try! VariableName.parse(name).get(), to: value, conditions: conditions)
    }

    func value(_ name: String) -> SampleValue? {
        sessionVariables.value(of: try! VariableName.parse(name).get())
    }

    func unset(_ name: String) {
        sessionVariables.unset(try! VariableName.parse(name).get())
    }
}

/// Variables: scopes and their lifetimes, the `set-var` conditions, the `tune.vars.*` limits, the
/// `var()` fetch, the converters, and the rules that use them. The expected values are what HAProxy
/// 2.6.12 gave for the same expressions (`http-request return … lf-string` showing each variable).
@Suite("variables")
struct VariableTests {
    typealias F = RoutingFixtures

    static func name(_ text: String) -> VariableName {
        try! VariableName.parse(text).get()
    }

    // MARK: - Scopes and lifetimes

    @Test func transactionVariablesGoBetweenRequestsSessionOnesStay() {
        let storage = TestVariables()
        // `tcp-request connection`: only `sess` (and `proc`) exist.
        #expect(storage.set("sess.client", .string("192.0.2.10")))
        #expect(!storage.set("txn.early", .string("x")))
        #expect(!storage.set("req.early", .string("x")))

        // First request on the connection.
        storage.sessionVariables.beginTransaction()
        #expect(storage.set("txn.host", .string("a.example")))
        #expect(storage.set("req.path", .string("/one")))
        #expect(!storage.set("res.status", .integer(200)), "no response yet")
        #expect(storage.value("req.path") == .string("/one"))
        storage.sessionVariables.beginResponse()
        #expect(storage.value("req.path") == nil, "req variables are gone once the response is processed")
        #expect(storage.set("res.status", .integer(200)))
        #expect(storage.value("txn.host") == .string("a.example"), "txn lives through the response")
        storage.sessionVariables.endTransaction()

        // Second request on the same keep-alive connection.
        storage.sessionVariables.beginTransaction()
        #expect(storage.value("txn.host") == nil)
        #expect(storage.value("res.status") == nil)
        #expect(storage.value("sess.client") == .string("192.0.2.10"))
        storage.sessionVariables.endSession()
        #expect(storage.value("sess.client") == nil)
        #expect(storage.sessionVariables.accountedBytes == 0)
    }

    @Test func processVariablesAreSharedByEveryConnection() {
        let process = ProcessVariables()
        let one = TestVariables(process), two = TestVariables(process)
        #expect(one.set("proc.mode", .string("drain")))
        #expect(two.value("proc.mode") == .string("drain"))
        two.unset("proc.mode")
        #expect(one.value("proc.mode") == nil)
        // Session variables are each connection's own.
        _ = one.set("sess.user", .string("ann"))
        #expect(two.value("sess.user") == nil)
        one.sessionVariables.endSession()
        #expect(process.value(of: "mode") == nil)
    }

    @Test func processVariablesHoldUnderManyThreads() {
        let process = ProcessVariables()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            let storage = TestVariables(process)
            for round in 0..<2000 {
                let variable = Self.name("proc.t\(thread)")
                _ = storage.sessionVariables.set(variable, to: .string(String(repeating: "x", count: round % 50)))
                _ = storage.set("proc.shared", .integer(Int64(round)))
                _ = storage.value("proc.shared")
                if round % 7 == 0 { storage.sessionVariables.unset(variable) }
            }
        }
        // Each thread's last value stays, and the accounting agrees with what is there.
        var expected = 0
        for thread in 0..<8 {
            let value = process.value(of: "t\(thread)")
            #expect(value == .string(String(repeating: "x", count: 1999 % 50)))
            expected += VariableSet.overhead + 1999 % 50
        }
        expected += VariableSet.overhead  // proc.shared
        #expect(process.accountedBytes == expected)
    }

    @Test func checkScopeNeverHoldsAnything() {
        let storage = TestVariables()
        storage.sessionVariables.beginTransaction()
        #expect(!storage.set("check.port", .integer(80)))
        #expect(storage.value("check.port") == nil)
    }

    // MARK: - Conditions

    /// The same sequence HAProxy 2.6.12 was given, with the values it ended with.
    @Test func conditionsAsHAProxy26() {
        let process = ProcessVariables()
        let storage = TestVariables(process)
        func set(_ name: String, _ value: SampleValue, _ conditions: [VariableCondition] = []) {
            storage.sessionVariables.set(Self.name(name), to: value, conditions: conditions)
        }
        func value(_ name: String) -> SampleValue? { storage.sessionVariables.value(of: Self.name(name)) }
        storage.sessionVariables.beginTransaction()
        set("txn.x", .string("first"))
        storage.unset("txn.x")
        set("txn.x", .string("again"), [.ifExists])
        #expect(value("txn.x") == nil, "unset-var removes the variable: it no longer exists")
        set("txn.y", .string("y"), [.ifSet])
        #expect(value("txn.y") == nil)
        set("txn.z", .string("z-ifnotset"), [.ifNotSet])
        set("txn.z", .string("z-second"), [.ifNotExists])
        #expect(value("txn.z") == .string("z-ifnotset"))
        set("txn.e", .string(""), [.ifEmpty])
        #expect(value("txn.e") == .string(""))
        set("txn.ne", .string(""), [.ifNotEmpty])
        #expect(value("txn.ne") == nil)
        set("txn.ei", .integer(0), [.ifEmpty])
        #expect(value("txn.ei") == nil, "an integer is never empty")
        set("txn.g", .integer(10))
        set("txn.g", .integer(5), [.ifGreater])
        #expect(value("txn.g") == .integer(5), "10 > 5: set")
        set("txn.l", .integer(10))
        set("txn.l", .integer(5), [.ifLess])
        #expect(value("txn.l") == .integer(10), "10 < 5 is false: kept")
        set("txn.g2", .integer(10))
        set("txn.g2", .integer(50), [.ifGreater])
        #expect(value("txn.g2") == .integer(10))
        set("txn.gs", .string("abc"))
        set("txn.gs", .integer(50), [.ifGreater])
        #expect(value("txn.gs") == .integer(50), "not two integers: the condition holds")
        set("txn.ng", .integer(50), [.ifGreater])
        #expect(value("txn.ng") == .integer(50))
        // A `proc` variable exists from start-up (ifexists holds) but is set only once set.
        set("proc.q", .string("q"), [.ifExists])
        #expect(value("proc.q") == .string("q"))
        set("proc.q2", .string("q2"), [.ifSet])
        #expect(value("proc.q2") == nil)
        set("proc.q", .string("again"), [.ifSet])
        #expect(value("proc.q") == .string("again"))
        set("proc.q", .string("never"), [.ifNotExists])
        #expect(value("proc.q") == .string("again"))
    }

    // MARK: - Limits

    static func limits(_ configure: (inout VariableLimits) -> Void) -> VariableLimits {
        var limits = VariableLimits()
        configure(&limits)
        return limits
    }

    /// `tune.vars.txn-max-size 100`: HAProxy 2.6 counts 80 bytes per variable plus its string, so
    /// 20 bytes fit and 21 do not, and a second variable never does.
    @Test func transactionLimitCountsAsHAProxyDoes() {
        let storage = TestVariables(ProcessVariables(limits: Self.limits { $0.transaction = 100 }))
        storage.sessionVariables.beginTransaction()
        #expect(storage.set("txn.a", .string(String(repeating: "a", count: 20))))
        #expect(!storage.set("txn.b", .string("")))
        #expect(!storage.set("req.c", .integer(1)), "req counts against txn too")
        // A value that no longer fits leaves the variable without one.
        #expect(!storage.set("txn.a", .string(String(repeating: "a", count: 21))))
        #expect(storage.value("txn.a") == nil)
        #expect(storage.set("txn.a", .integer(7)))
        // The session's own variables are not the transaction's.
        #expect(storage.set("sess.big", .string(String(repeating: "s", count: 1000))))
    }

    @Test func limitsNest() {
        // reqres within txn within sess.
        let reqres = TestVariables(ProcessVariables(limits: Self.limits { $0.requestResponse = 100 }))
        reqres.sessionVariables.beginTransaction()
        #expect(reqres.set("txn.a", .string(String(repeating: "a", count: 21))), "reqres does not limit txn")
        #expect(!reqres.set("req.a", .string(String(repeating: "a", count: 21))))
        #expect(reqres.set("req.a", .string(String(repeating: "a", count: 20))))

        let session = TestVariables(ProcessVariables(limits: Self.limits { $0.session = 200 }))
        #expect(session.set("sess.a", .string(String(repeating: "a", count: 20))))
        session.sessionVariables.beginTransaction()
        #expect(session.set("txn.b", .string(String(repeating: "b", count: 20))))
        #expect(!session.set("req.c", .integer(1)), "200 bytes taken by sess and txn")
        session.sessionVariables.endTransaction()
        #expect(session.set("req.c", .integer(1)) == false, "no transaction now")
        session.sessionVariables.beginTransaction()
        #expect(session.set("req.c", .integer(1)), "the transaction gave its bytes back")
    }

    /// `tune.vars.proc-max-size` (and `global-max-size`) count every connection's variables: a
    /// connection gives them back when they go.
    @Test func processLimitCountsEveryConnection() {
        let process = ProcessVariables(limits: Self.limits { $0.process = 300; $0.global = 1000 })
        let one = TestVariables(process), two = TestVariables(process)
        #expect(one.set("sess.a", .string(String(repeating: "a", count: 70))))
        #expect(process.accountedBytes == 150)
        two.sessionVariables.beginTransaction()
        #expect(two.set("txn.b", .string(String(repeating: "b", count: 70))))
        #expect(!two.set("proc.c", .integer(1)), "300 bytes: two connections' variables")
        #expect(!one.set("sess.d", .integer(1)))
        two.sessionVariables.endTransaction()
        #expect(process.accountedBytes == 150)
        #expect(one.set("proc.c", .integer(1)))
        one.sessionVariables.endSession()
        two.sessionVariables.endSession()
        #expect(process.accountedBytes == VariableSet.overhead, "only proc.c is left")
    }

    @Test func valuesAreCutToTheBufferSize() {
        let storage = TestVariables(ProcessVariables(maxValueBytes: 8))
        storage.set("sess.s", .string("0123456789"))
        storage.set("sess.u", .string("ééééé"))
        storage.set("sess.b", .binary(Array(0..<12)))
        #expect(storage.value("sess.s") == .string("01234567"))
        #expect(storage.value("sess.u") == .string("éééé"), "cut at a character boundary")
        #expect(storage.value("sess.b") == .binary(Array(0..<8)))
    }

    // MARK: - Fetch and converters

    static func render(_ format: String, _ storage: TestVariables, request: HTTPRequestHead? = nil) throws -> String {
        var context = F.httpContext(request)
        context.variables = storage
        return try LogFormatTemplate(format).render(&context)
    }

    @Test func varFetchWithDefaultAndTypes() throws {
        let storage = TestVariables()
        storage.sessionVariables.beginTransaction()
        storage.set("txn.ip", .address(IPAddress("192.0.2.7")!))
        storage.set("txn.n", .integer(41))
        #expect(try Self.render("%[var(txn.ip)] %[var(txn.n),add(1)] [%[var(txn.none)]] %[var(txn.none,dflt)] %[var(txn.none,12),add(1)] [%[var(txn.none,)]]", storage)
            == "192.0.2.7 42 [] dflt 13 []")
        // No session: nothing.
        #expect(try F.render("var(txn.n,fallback)", nil) == "fallback")
    }

    @Test func setVarConverterPassesTheValueOnOnlyWhenStored() throws {
        let storage = TestVariables(ProcessVariables(limits: Self.limits { $0.transaction = 100 }))
        storage.sessionVariables.beginTransaction()
        let request = F.request("GET / HTTP/1.1", ["Host: WWW.Example"])
        #expect(try Self.render("h=%[req.hdr(host),lower,set-var(txn.host)] v=%[var(txn.host)]", storage, request: request) == "h=www.example v=www.example")
        // HAProxy: `str(abc),set-var(txn.x,ifexists)` on a new variable gives nothing.
        #expect(try Self.render("c1=%[str(abc),set-var(txn.x,ifexists)] x=%[var(txn.x)]", storage) == "c1= x=")
        #expect(try Self.render("c3=%[str(ghi),unset-var(txn.host)] y=%[var(txn.host)]", storage) == "c3=ghi y=")
        #expect(try Self.render("big=%[str(\(String(repeating: "a", count: 60))),set-var(txn.big)]", storage) == "big=", "does not fit in 100 bytes")
    }

    /// The values HAProxy 2.6.12 gave for each expression.
    @Test(arguments: [
        ("str(abc),add(1)", "1"), ("str(12abc),add(1)", "13"), ("str(),add(1)", ""), ("str(-5),add(1)", "-4"),
        ("int(1),add(txn.s7)", "8"), ("int(1),add(txn.sx)", "1"), ("int(1),add(txn.none)", ""),
        ("int(5),div(0)", "9223372036854775807"), ("int(-5),div(0)", "9223372036854775807"), ("int(5),mod(0)", "0"),
        ("bool(1),add(1)", "2"), ("src,add(1)", "3221225995"), ("int(5),sub(txn.i3)", "2"), ("int(7),div(2)", "3"),
        ("int(-7),div(2)", "-3"), ("int(-7),mod(2)", "-1"), ("int(6),and(3)", "2"), ("int(6),or(3)", "7"), ("int(6),xor(3)", "5"),
        ("int(6),neg", "-6"), ("int(9223372036854775807),add(1)", "9223372036854775807"), ("str( 12),add(1)", "1"),
        ("str(+12),add(1)", "13"), ("int(5),mul(txn.i3)", "15"),
    ])
    func arithmeticAsHAProxy(_ expression: String, _ expected: String) throws {
        let storage = TestVariables()
        storage.sessionVariables.beginTransaction()
        storage.set("txn.s7", .string("7"))
        storage.set("txn.sx", .string("x"))
        storage.set("txn.i3", .integer(3))
        var context = F.context()
        context.variables = storage
        let rendered = try LogFormatTemplate("%[\(expression)]").render(&context)
        #expect(rendered == expected, "\(expression)")
    }

    @Test(arguments: [
        ("var()", "'var' expects a variable name"), ("var(foo.x)", "invalid variable name 'foo.x'"), ("var(txn.x,a,b)", "'var' expects a variable name"),
        ("int(1),add(foo)", "converter 'add' expects an integer or a variable name, not 'foo'"), ("int(1),add()", "converter 'add' expects"),
        ("int(1),neg(1)", "converter 'neg' takes no arguments"), ("str(a),set-var(txn.x,ifbad)", "unknown condition 'ifbad' in converter 'set-var'"),
        ("str(a),set-var(bad.x)", "invalid variable name 'bad.x'"), ("str(a),unset-var()", "converter 'unset-var' expects one variable name"),
        ("int(a)", "'int' expects one signed 64-bit integer"), ("int()", "'int' expects one signed 64-bit integer"),
        ("bool(2)", "'bool' expects 'true', 'false', '0' or '1'"), ("bin(zz)", "'bin' expects an even number of hexadecimal digits"),
        ("str(a,b)", "'str' expects one string"),
    ])
    func badExpressionsAreRefused(_ expression: String, _ message: String) {
        let error = #expect(throws: RoutingError.self) { try LogFormatTemplate("%[\(expression)]") }
        #expect(error?.message.contains(message) == true, "\(String(describing: error?.message))")
    }

    @Test func anACLOnAVariableMustNameItsMatchMethod() throws {
        #expect(throws: RoutingError.self) { try F.acl("var(txn.x) foo") }
        let acl = try F.acl("var(txn.x) -m int 12")
        let storage = TestVariables()
        storage.sessionVariables.beginTransaction()
        var context = F.context()
        context.variables = storage
        #expect(acl.evaluate(&context) == .fail)
        storage.set("txn.x", .string("12"))
        #expect(acl.evaluate(&context) == .pass)
    }

    // MARK: - Rules

    static let routingConfiguration = F.quietDefaults + """

        frontend www
            mode http
            bind :80
            http-request set-var(txn.tenant) req.hdr(x-tenant),lower
            http-request set-var(sess.requests) var(sess.requests,0),add(1)
            http-request set-var-fmt(txn.route) "%[var(txn.tenant)]/%[var(sess.requests)]"
            http-request set-header X-Route %[var(txn.route)]
            http-request unset-var(txn.tenant) if { var(txn.tenant) -m str nobody }
            use_backend %[var(txn.tenant)] if { var(txn.tenant) -m found }
            default_backend other
            http-response set-var(res.status) status
            http-response set-header X-Was %[var(txn.tenant)]-%[var(res.status)]-[%[var(req.anything)]]
        backend alpha
            mode http
        backend other
            mode http
        """

    @Test func rulesSetAndUseVariables() throws {
        let table = try F.table(Self.routingConfiguration)
        let routes = try table.frontend("www")
        let storage = TestVariables()
        func exchange(_ tenant: String?) -> (backend: String?, route: String?, was: String?) {
            storage.sessionVariables.beginTransaction()
            var request = F.request("GET / HTTP/1.1", tenant.map { ["Host: x", "X-Tenant: \($0)"] } ?? ["Host: x"])
            var context = F.httpContext(request)
            context.variables = storage
            _ = routes.httpRequestRules.apply(to: &request, &context)
            let backend = table.backendName(routes.chooseBackend(&context, backendsByName: table.backendsByName))
            storage.sessionVariables.beginResponse()
            var response = F.response(200)
            _ = routes.httpResponseRules.apply(to: &response, &context)
            defer { storage.sessionVariables.endTransaction() }
            return (backend, request.headers[first: "X-Route"], response.headers[first: "X-Was"])
        }
        #expect(exchange("ALPHA") == ("alpha", "alpha/1", "alpha-200-[]"))
        #expect(exchange(nil) == ("other", "/2", "-200-[]"), "txn.tenant did not survive the previous request")
        #expect(exchange("nobody") == ("other", "nobody/3", "-200-[]"))
        #expect(exchange("Alpha") == ("alpha", "alpha/4", "alpha-200-[]"))
    }

    /// `tcp-request content` rules run from the first each time more bytes arrive, as in HAProxy
    /// 2.6 (which counted `n=4 len=12` for 12 bytes sent in three writes: a run at the start and
    /// one per write): a variable set before a rule that waits is set again, with what is there.
    @Test func contentRulesRunAgainFromTheFirst() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                bind :443
                tcp-request inspect-delay 5s
                tcp-request content set-var(sess.rounds) var(sess.rounds,0),add(1)
                tcp-request content set-var(txn.len) req.len
                tcp-request content accept if { req.ssl_hello_type 1 }
                tcp-request content set-var(txn.after) str(never)
                default_backend be
            backend be
            """)
        let routes = try table.frontend("fe")
        let storage = TestVariables()
        storage.sessionVariables.beginTransaction()
        let hello = F.clientHello(serverName: "a.example")
        var context = F.context(payload: Array(hello.prefix(3)))
        context.variables = storage
        #expect(routes.evaluateContentRules(&context) == .waitForData)
        #expect(storage.value("txn.len") == .integer(3), "read as final when its rule ran")
        context.payload = ByteBuffer(bytes: hello)
        #expect(routes.evaluateContentRules(&context) == .accept)
        #expect(storage.value("sess.rounds") == .integer(2))
        #expect(storage.value("txn.len") == .integer(Int64(hello.count)))
        #expect(storage.value("txn.after") == nil)
    }

    @Test func connectionAndSessionRules() throws {
        let table = try F.table(F.quietDefaults + """

            frontend fe
                bind :443
                tcp-request connection set-var(sess.source) src
                tcp-request connection silent-drop if { src 198.51.100.0/24 }
                tcp-request session set-var-fmt(sess.tag) "tag-%[var(sess.source)]"
                tcp-request session reject if { var(sess.tag) -m end .66 }
                default_backend be
            backend be
            """)
        let routes = try table.frontend("fe")
        func run(_ source: String) -> (InspectionVerdict, InspectionVerdict?, SampleValue?) {
            let storage = TestVariables()
            var context = F.context(source: source)
            context.variables = storage
            let connection = routes.evaluateConnectionRules(&context)
            guard connection == .accept else { return (connection, nil, nil) }
            return (connection, routes.evaluateSessionRules(&context), storage.value("sess.tag"))
        }
        #expect(run("192.0.2.10") == (.accept, .accept, .string("tag-192.0.2.10")))
        #expect(run("198.51.100.3").0 == .silentDrop(rule: 1))
        #expect(run("192.0.2.66").1 == .reject(rule: 1))
    }

    // MARK: - Compilation

    func alerts(_ text: String) throws -> [Diagnostic] {
        let outcome = ConfigurationParser().parse(text, file: "t.cfg")
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)")
        let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
        let alerts = diagnostics.filter { $0.severity == .alert }
        #expect((table == nil) == !alerts.isEmpty)
        return alerts
    }

    /// As HAProxy: nothing has been read when `tcp-request connection` and `session` rules run.
    @Test func connectionRulesCannotReadContents() throws {
        let payload = try alerts(F.quietDefaults + "\nfrontend fe\n    bind :80\n    tcp-request connection set-var(sess.x) req.len\n    default_backend be\nbackend be\n")
        #expect(payload.map(\.location?.line) == [7])
        #expect(payload.first?.message.contains("'req.len' in a 'tcp-request connection' rule of frontend 'fe' reads the request's contents") == true, "\(payload)")
        let http = try alerts(F.quietDefaults + "\nfrontend fe\n    mode http\n    bind :80\n    tcp-request session set-var-fmt(sess.x) %[req.hdr(host)]\n    default_backend be\nbackend be\n    mode http\n")
        #expect(http.first?.message.contains("'req.hdr' in a 'tcp-request session' rule") == true, "\(http)")
        let tcp = try alerts(F.quietDefaults + "\nfrontend fe\n    bind :80\n    tcp-request connection set-var(sess.x) req.hdr(host)\n    default_backend be\nbackend be\n")
        #expect(tcp.first?.message.contains("'req.hdr' in a 'tcp-request connection' rule") == true, "\(tcp)")
        // In a content rule of mode tcp, HTTP fetches read the request bytes.
        #expect(try alerts(F.quietDefaults + "\nfrontend fe\n    bind :80\n    tcp-request content set-var(txn.x) req.hdr(host)\n    default_backend be\nbackend be\n").isEmpty)
        let unknown = try alerts(F.quietDefaults + "\nfrontend fe\n    bind :80\n    tcp-request content set-var(txn.x) nope\n    default_backend be\nbackend be\n")
        #expect(unknown.first?.message.contains("unknown sample fetch 'nope'") == true, "\(unknown)")
    }

    @Test func globalSetVarRunsOnceInOrder() throws {
        let table = try F.table("""
            global
                set-var proc.current_state str(primary)
                set-var proc.prio int(100)
                set-var proc.threshold int(200),sub(proc.prio)
                set-var-fmt proc.label "%[var(proc.current_state)]-%[var(proc.threshold)]"
                set-var proc.prio int(5)
            """ + "\n" + F.quietDefaults + "\n")
        let values = Dictionary(uniqueKeysWithValues: table.initialProcessVariables)
        #expect(values == [
            "current_state": .string("primary"), "prio": .integer(5), "threshold": .integer(100), "label": .string("primary-100"),
        ])
        #expect(table.initialProcessVariables.map(\.0) == ["current_state", "prio", "threshold", "label"])
    }

    @Test func globalSetVarReadsNoConnection() throws {
        let fetch = try alerts("global\n    set-var proc.p src\n" + F.quietDefaults + "\n")
        #expect(fetch.map(\.location?.line) == [2])
        #expect(fetch.first?.message.contains("'src' in 'set-var proc.p' reads a connection, which the global section does not have") == true, "\(fetch)")
        let format = try alerts("global\n    set-var-fmt proc.p \"%ci\"\n" + F.quietDefaults + "\n")
        #expect(format.first?.message.contains("'%ci' in 'set-var-fmt proc.p'") == true, "\(format)")
    }
}
