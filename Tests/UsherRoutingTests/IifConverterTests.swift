import Testing
@testable import UsherConfig
@testable import UsherRouting

/// `iif(TRUE,FALSE)`: the input as a boolean picks one of two strings (HAProxy's iif reg-test
/// counts a header: none gives `ko`, one or more `ok`).
struct IifConverterTests {
    func text(_ expression: String, headers: [String] = []) throws -> String? {
        let request = RoutingFixtures.request("GET / HTTP/1.1", headers)
        var context = RoutingFixtures.httpContext(request)
        guard case .value(let value) = try CompiledSample(SampleExpression.parse(expression).get()).evaluate(&context) else { return nil }
        return value.text
    }

    @Test func countsAndBooleansPickAString() throws {
        #expect(try text("req.hdr_cnt(count),iif(ok,ko)") == "ko")
        #expect(try text("req.hdr_cnt(count),iif(ok,ko)", headers: ["count: 1"]) == "ok")
        #expect(try text("req.hdr_cnt(count),iif(ok,ko)", headers: ["count: 1,2"]) == "ok")
        #expect(try text("int(0),iif(yes,no)") == "no")
        #expect(try text("bool(1),iif(yes,no)") == "yes")
        #expect(try text("str(7),iif(yes,no)") == "yes")
    }

    @Test func twoArgumentsAreNeeded() {
        #expect(throws: RoutingError.self) { _ = try CompiledSample(SampleExpression.parse("int(1),iif(yes)").get()) }
    }
}
