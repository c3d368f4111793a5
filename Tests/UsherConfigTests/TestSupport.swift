import Testing
@testable import UsherConfig

/// Parses `text` as the file `t.cfg`.
func parse(_ text: String, file: String = "t.cfg", environment: [String: String] = [:]) -> ConfigurationParser.Outcome {
    ConfigurationParser(environment: environment).parse(text, file: file)
}

/// Lexes one line.
func lexWords(_ line: String, environment: [String: String] = [:]) throws -> [String] {
    try ConfigurationLexer(environment: environment).lexLine(Substring(line)).get()
}

/// A `defaults` section setting the three timeouts HAProxy warns about, so tests see only the
/// diagnostics they provoke. Four lines long.
let quietDefaults = """
    defaults
        timeout client 1s
        timeout server 1s
        timeout connect 1s
    """

extension ConfigurationParser.Outcome {
    /// The only alert, which must exist.
    func singleAlert(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Diagnostic {
        #expect(alerts.count == 1, "alerts: \(alerts)", sourceLocation: sourceLocation)
        return try #require(alerts.first, sourceLocation: sourceLocation)
    }

    func proxy(_ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Proxy {
        let configuration = try #require(configuration, "diagnostics: \(diagnostics)", sourceLocation: sourceLocation)
        return try #require(configuration.proxies.first { $0.name == name }, sourceLocation: sourceLocation)
    }
}
