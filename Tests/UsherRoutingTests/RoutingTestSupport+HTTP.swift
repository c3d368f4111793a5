import Foundation
import NIOCore
@testable import UsherRouting

extension RoutingFixtures {
    /// A request head from its request line and `Name: value` header lines.
    static func request(_ line: String, _ headers: [String] = []) -> HTTPRequestHead {
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        let version = parts.count > 2 && parts[2] == "HTTP/1.0" ? HTTPVersion.http1_0 : .http1_1
        return HTTPRequestHead(method: parts[0], target: parts[1], version: version, headers: fields(headers))
    }

    /// A response head from its status code and `Name: value` header lines.
    static func response(_ status: Int, _ headers: [String] = []) -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: status, reason: "OK", headers: fields(headers))
    }

    static func fields(_ lines: [String]) -> HTTPHeaders {
        HTTPHeaders(lines.map { line in
            let colon = line.firstIndex(of: ":")!
            return HTTPField(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        })
    }

    /// A context for an HTTP request (and its response, if given).
    static func httpContext(_ request: HTTPRequestHead?, response: HTTPResponseHead? = nil) -> SampleContext {
        var context = Self.context(final: false)
        context.request = request
        context.response = response
        return context
    }

    /// The `%[EXPRESSION]` text for this request, as a dynamic `use_backend` would render it.
    static func render(_ expression: String, _ request: HTTPRequestHead?, response: HTTPResponseHead? = nil) throws -> String {
        var context = httpContext(request, response: response)
        return try LogFormatTemplate("%[\(expression)]").render(&context)
    }
}
