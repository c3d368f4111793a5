// libFuzzer harness for the configuration language: `ConfigurationLexer` and `ConfigurationParser`
// with its checks, then `RoutingTable.compile` on what was parsed (ACLs, sample expressions, log
// formats: the loader compiles even a configuration with alerts, to report every problem), and
// the crt-list parser (`CertificateListParser`). Every input is read both as a configuration file
// and as a crt-list. Files the configuration names (`errorfile`, `http-request return file`, ACL
// pattern files) come from memory: nothing is read from disk. Any broken invariant is a
// `precondition` failure, which libFuzzer reports as a crash.
import UsherConfig
import UsherRouting

// Swift drops the messages of `precondition` in release builds; these keep them (`fatalError`
// prints its message), so that a crash says which invariant broke and on what.
private func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(), file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

private func preconditionFailure(_ message: @autoclosure () -> String = String(), file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    let text = String(decoding: input, as: UTF8.self)
    // The lines as both parsers count them: split on LF bytes (decoding never adds or removes one).
    let lineCount = input.split(separator: 0x0A, omittingEmptySubsequences: false).count
    checkConfiguration(text, lineCount: lineCount)
    checkCertificateList(input, text: text, lineCount: lineCount)
    return 0
}

private let files: [String: [UInt8]] = [
    "/etc/haproxy/errors/503.http": Array("HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/html\r\n\r\n<h1>down</h1>\n".utf8),
    "errors/404.http": Array("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".utf8),
    "/etc/haproxy/page.html": Array("<html>ok</html>\n".utf8),
    "/etc/haproxy/list.txt": Array("a.pem [alpn h2] www.example.com\n/b.pem\n".utf8),
]
private let patternFiles: [String: [String]] = [
    "/etc/haproxy/blocked.lst": ["10.0.0.0/8", "192.168.1.1"],
    "/etc/haproxy/paths.lst": ["/admin", "/private"],
]
private struct NoSuchFile: Error {}
private let parser = ConfigurationParser(
    environment: ["HOME": "/home/fuzz", "LIST": "a b  c", "EMPTY": "", "PORT": "8080"],
    fileReader: .inMemory(files)
)
private let file = "fuzz.cfg"

private func checkDiagnostics(_ diagnostics: [Diagnostic], lineCount: Int, _ what: String) {
    for diagnostic in diagnostics {
        guard let location = diagnostic.location else { preconditionFailure("\(what) without a location: \(diagnostic)") }
        precondition(location.file == file, "\(what) in another file: \(diagnostic)")
        precondition(location.line >= 1 && location.line <= lineCount, "\(what) at line \(location.line) of \(lineCount): \(diagnostic)")
        precondition(!diagnostic.message.isEmpty)
    }
}

private func checkConfiguration(_ text: String, lineCount: Int) {
    let outcome = parser.parse(text, file: file)
    checkDiagnostics(outcome.diagnostics, lineCount: lineCount, "diagnostic")
    precondition((outcome.configuration == nil) == outcome.diagnostics.contains { $0.severity == .alert })
    if let configuration = outcome.configuration { precondition(configuration == outcome.parsed) }

    // The lexer alone: its lines are numbered within the file, in order.
    let (lines, lexDiagnostics) = ConfigurationLexer(environment: parser.environment).lex(text, file: file)
    checkDiagnostics(lexDiagnostics, lineCount: lineCount, "lexer diagnostic")
    var previous = 0
    for line in lines {
        precondition(line.location.line > previous && line.location.line <= lineCount && !line.words.isEmpty)
        previous = line.location.line
    }

    // CRLF line ends read as LF ones (for text without CRs of its own, which would then be kept).
    // A second parse doubles the cost of an input: only for the shorter ones.
    if text.utf8.count <= 1024, !text.utf8.contains(0x0D) {
        let crlf = String(decoding: Array(text.utf8).flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }, as: UTF8.self)
        let again = parser.parse(crlf, file: file)
        precondition(again.diagnostics == outcome.diagnostics, "CRLF: \(again.diagnostics) vs \(outcome.diagnostics)")
        precondition(again.parsed == outcome.parsed, "CRLF changed the configuration")
    }

    // What the loader does next: compile the rules, even with alerts.
    let compiled = RoutingTable.compile(outcome.parsed) { path in
        guard let patterns = patternFiles[path] else { throw NoSuchFile() }
        return patterns
    }
    checkDiagnostics(compiled.diagnostics, lineCount: lineCount, "compile diagnostic")
    precondition((compiled.table == nil) == compiled.diagnostics.contains { $0.severity == .alert })
}

private func checkCertificateList(_ bytes: [UInt8], text: String, lineCount: Int) {
    let parser = CertificateListParser(fileReader: .inMemory(["fuzz.lst": bytes]))
    let result = Result { () throws(CertificateListError) in try parser.parse(text, file: "fuzz.lst", crtBase: "/etc/certs") }
    switch result {
    case .success(let list):
        precondition(list.path == "fuzz.lst")
        var previous = 0
        for entry in list.entries {
            precondition(entry.location.file == "fuzz.lst" && entry.location.line > previous && entry.location.line <= lineCount)
            previous = entry.location.line
            precondition(entry.certificatePath.hasPrefix("/"), "path \(entry.certificatePath) not under crt-base")
            precondition(!entry.sniFilters.contains { $0.isEmpty || $0.utf8.contains { $0 == 0x20 || (0x09...0x0D).contains($0) } })
        }
    case .failure(let error):
        guard let location = error.location else { preconditionFailure("crt-list error without a location: \(error)") }
        precondition(location.file == "fuzz.lst" && location.line >= 1 && location.line <= lineCount, "crt-list error at \(location)")
    }
    // Read from a file: the same. With CRLF line ends: the same ("\r" is white space there).
    let fromFile = Result { () throws(CertificateListError) in try parser.parse(file: "fuzz.lst", crtBase: "/etc/certs") }
    precondition(fromFile == result, "read from a file: \(fromFile) vs \(result)")
    let crlf = String(decoding: bytes.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }, as: UTF8.self)
    let again = Result { () throws(CertificateListError) in try parser.parse(crlf, file: "fuzz.lst", crtBase: "/etc/certs") }
    precondition(again == result, "CRLF: \(again) vs \(result)")
}
