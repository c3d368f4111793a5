import Testing
@testable import UsherConfig

/// Parses `text` as the file `t.cfg`. With `files`, the files it names (`errorfile`…) are those,
/// not the disk's.
func parse(
    _ text: String, file: String = "t.cfg", environment: [String: String] = [:], files: [String: String]? = nil
) -> ConfigurationParser.Outcome {
    let reader = files.map { files in ConfigurationFileReader.inMemory(files.mapValues { Array($0.utf8) }) } ?? .system
    return ConfigurationParser(environment: environment, fileReader: reader).parse(text, file: file)
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

/// `quietDefaults` in `mode http`: five lines, so a body appended to it starts at line 6.
let httpDefaults = quietDefaults + "\n    mode http\n"

/// `httpDefaults`, then a section: its `header` lines (`frontend fe\n    bind :80`), then `lines`,
/// indented.
func parseHTTP(_ header: String, _ lines: [String], files: [String: String]? = nil) -> ConfigurationParser.Outcome {
    parse(httpDefaults + header + "\n" + lines.map { "    \($0)\n" }.joined(), files: files)
}

/// An http-mode frontend `fe` with `lines` after its `bind`: the first one is line 8.
func parseHTTPFrontend(_ lines: [String], files: [String: String]? = nil) -> ConfigurationParser.Outcome {
    parseHTTP("frontend fe\n    bind :80", lines, files: files)
}

/// An http-mode backend `be` with `lines` after its `server`: the first one is line 8.
func parseHTTPBackend(_ lines: [String], files: [String: String]? = nil) -> ConfigurationParser.Outcome {
    parseHTTP("backend be\n    server s 127.0.0.1:80", lines, files: files)
}

extension ConfigurationParser.Outcome {
    /// The only alert is at `line` of t.cfg and mentions every needle.
    func expectSingleAlert(line: Int, _ needles: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let alert = try singleAlert(sourceLocation: sourceLocation)
        #expect(alert.location == UsherConfig.SourceLocation(file: "t.cfg", line: line), "\(alert)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(alert.message.contains(needle), "'\(needle)' not in: \(alert.message)", sourceLocation: sourceLocation)
        }
    }

    /// The warnings, without the one every http-mode proxy gets while usher has no HTTP mode.
    var specificWarnings: [Diagnostic] {
        warnings.filter { !$0.message.contains("which usher does not implement yet") }
    }

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
