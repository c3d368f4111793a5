import Testing
@testable import UsherConfig
@testable import UsherRouting

/// `uuid`: a random version 4 UUID per evaluation (HAProxy's vars reg-test stores one in a
/// process variable from the global section).
struct UUIDFetchTests {
    func evaluate(_ expression: String) throws -> String? {
        var context = RoutingFixtures.httpContext(RoutingFixtures.request("GET / HTTP/1.1", []))
        guard case .value(let value) = try CompiledSample(SampleExpression.parse(expression).get()).evaluate(&context) else { return nil }
        return value.text
    }

    @Test func aVersion4UUIDEachTime() throws {
        let first = try #require(try evaluate("uuid"))
        let second = try #require(try evaluate("uuid(4)"))
        #expect(first != second)
        for text in [first, second] {
            #expect(text.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil, "\(text)")
        }
        #expect(try evaluate("uuid()") != nil)
    }

    @Test func onlyVersion4() {
        #expect(throws: RoutingError.self) { _ = try CompiledSample(SampleExpression.parse("uuid(1)").get()) }
    }
}
