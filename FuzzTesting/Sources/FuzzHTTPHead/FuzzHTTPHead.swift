// libFuzzer harness for the HTTP/1 head: `HTTPHeadScanner` (where a head ends), `HTTPHeadParser`
// (request and response heads, and the early request-line check), the framing rules that read a
// parsed head (`HTTPFramingRules`) and the serializer that writes a head back out. Every input is
// used three times: as the first bytes of a connection, and after a fixed request line and a fixed
// status line, so that the fuzzer reaches the header fields without first having to find a valid
// start line. Any broken invariant is a `precondition` failure, which libFuzzer reports as a crash.
import NIOCore
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
public func fuzzHTTPHead(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    check(input)
    check(Array("GET / HTTP/1.1\r\n".utf8) + input)
    check(Array("HTTP/1.1 200 OK\r\n".utf8) + input)
    return 0
}

private let defaultLimits = HTTPLimits()
/// For heads written back out: invalid UTF-8 comes back as U+FFFD (three bytes for one), so the
/// written head may be longer than the one read.
private let unlimited = HTTPLimits(maxHeadBytes: Int.max, maxHeaderCount: Int.max)

private enum Outcome<Head: Equatable>: Equatable {
    case head(Head)
    case error(HTTPParseError)
}

private func request(_ bytes: UnsafeRawBufferPointer, _ limits: HTTPLimits = defaultLimits) -> Outcome<HTTPRequestHead> {
    do { return .head(try HTTPHeadParser.parseRequest(bytes, limits: limits)) } catch { return .error(error) }
}

private func response(_ bytes: UnsafeRawBufferPointer, _ limits: HTTPLimits = defaultLimits) -> Outcome<HTTPResponseHead> {
    do { return .head(try HTTPHeadParser.parseResponse(bytes, limits: limits)) } catch { return .error(error) }
}

private func checkRequestLine(_ bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
    do { try HTTPHeadParser.checkRequestLine(bytes) } catch { return error }
    return nil
}

private func check(_ input: [UInt8]) {
    input.withUnsafeBytes { bytes in
        let headLength = checkScanner(bytes)
        checkPrefixes(bytes, headLength: headLength)
        guard let headLength else {
            // No end of head: no complete request or response can be read from these bytes.
            if bytes.count <= defaultLimits.maxHeadBytes {
                if case .head(let head) = request(bytes) { preconditionFailure("request \(head) parsed without an end of head") }
                if case .head(let head) = response(bytes) { preconditionFailure("response \(head) parsed without an end of head") }
            }
            return
        }
        let head = UnsafeRawBufferPointer(rebasing: bytes[..<headLength])
        switch request(head) {
        case .head(let parsed):
            checkRequest(parsed)
        case .error(let error):
            precondition((400..<500).contains(error.status), "request error \(error) with status \(error.status)")
        }
        switch response(head) {
        case .head(let parsed):
            checkResponse(parsed)
        case .error(let error):
            precondition(error.status == 502, "response error \(error) with status \(error.status)")
        }
    }
}

/// The scanner against a plain reference, and fed piecemeal as a slow client sends.
private func checkScanner(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var scanner = HTTPHeadScanner()
    let whole = scanner.headLength(in: bytes)
    precondition(whole == referenceHeadLength(bytes), "scanner \(String(describing: whole)) vs reference")
    if let whole {
        precondition(whole >= 2 && whole <= bytes.count && bytes[whole - 1] == 0x0A)
        // After a head is found the scanner starts afresh: the same bytes give the same answer.
        precondition(scanner.headLength(in: bytes) == whole)
    }
    // Growing prefixes through one scanner: nil until the end of the head has arrived, then it.
    for step in [1, 7, 100] {
        var incremental = HTTPHeadScanner()
        var length = 0
        let end = step == 1 ? min(bytes.count, 2_000) : bytes.count
        while length < end {
            length = min(end, length + step)
            let answer = incremental.headLength(in: UnsafeRawBufferPointer(rebasing: bytes[..<length]))
            if let whole, length >= whole {
                precondition(answer == whole, "step \(step), prefix \(length): \(String(describing: answer)) vs \(whole)")
                break
            }
            precondition(answer == nil, "step \(step), prefix \(length): \(String(describing: answer)) before the end")
        }
    }
    return whole
}

/// The first LF that ends an empty line (LF LF, or LF CR LF), independently of the scanner.
private func referenceHeadLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var index = 1
    while index < bytes.count {
        if bytes[index] == 0x0A {
            if bytes[index - 1] == 0x0A { return index + 1 }
            if bytes[index - 1] == 0x0D, index >= 2, bytes[index - 2] == 0x0A { return index + 1 }
        }
        index += 1
    }
    return nil
}

/// Parsing a prefix never gives a head unless the prefix holds the whole head, and then it is the
/// same head; once the early request-line check refuses a prefix, it refuses every longer one, and
/// the whole request is refused.
private func checkPrefixes(_ bytes: UnsafeRawBufferPointer, headLength: Int?) {
    let fullRequest = headLength.map { request(UnsafeRawBufferPointer(rebasing: bytes[..<$0])) }
    let fullResponse = headLength.map { response(UnsafeRawBufferPointer(rebasing: bytes[..<$0])) }
    var refusedLine: HTTPParseError?
    for length in prefixLengths(bytes, headLength: headLength) {
        let prefix = UnsafeRawBufferPointer(rebasing: bytes[..<length])
        let lineError = checkRequestLine(prefix)
        if let refusedLine {
            precondition(lineError != nil, "request line refused at a shorter prefix (\(refusedLine)) but not at \(length)")
        }
        if let lineError {
            precondition(lineError.status == 400)
            if case .head(let head)? = fullRequest { preconditionFailure("line refused (\(lineError)) but the head parses: \(head)") }
            refusedLine = lineError
        }
        guard length <= defaultLimits.maxHeadBytes else { continue }
        let partialRequest = request(prefix)
        let partialResponse = response(prefix)
        guard let headLength, length >= headLength else {
            if case .head(let head) = partialRequest { preconditionFailure("prefix \(length) parsed as request \(head) before the end of the head") }
            if case .head(let head) = partialResponse { preconditionFailure("prefix \(length) parsed as response \(head) before the end of the head") }
            continue
        }
        // What follows a head does not change it (nor whether it is refused).
        switch (partialRequest, fullRequest) {
        case (.head(let a), .head(let b)?): precondition(a == b, "prefix \(length): \(a) vs \(b)")
        case (.error, .error?): break
        default: preconditionFailure("prefix \(length): \(partialRequest) vs \(String(describing: fullRequest))")
        }
        switch (partialResponse, fullResponse) {
        case (.head(let a), .head(let b)?): precondition(a == b, "prefix \(length): \(a) vs \(b)")
        case (.error, .error?): break
        default: preconditionFailure("prefix \(length): \(partialResponse) vs \(String(describing: fullResponse))")
        }
    }
}

/// The prefix lengths worth parsing, in increasing order: every one over the start, around the
/// first LF (where the request line becomes whole) and around the end of the head, and a sparse
/// sample elsewhere, so that a long input does not cost a quadratic number of parses.
private func prefixLengths(_ bytes: UnsafeRawBufferPointer, headLength: Int?) -> [Int] {
    var lengths = Set(0...min(bytes.count, 48))
    if let lineFeed = bytes.firstIndex(of: 0x0A) { lengths.formUnion(max(0, lineFeed - 4)...min(bytes.count, lineFeed + 4)) }
    if let headLength { lengths.formUnion(max(0, headLength - 8)...min(bytes.count, headLength + 2)) }
    lengths.formUnion(stride(from: 0, through: bytes.count, by: 61))
    lengths.formUnion(stride(from: 0, through: bytes.count, by: 509))
    lengths.insert(bytes.count)
    return lengths.sorted()
}

/// A parsed request written out reads back the same, its framing is decided, and deciding it
/// again on the normalised head changes nothing.
private func checkRequest(_ parsed: HTTPRequestHead) {
    precondition(!parsed.method.isEmpty && !parsed.target.isEmpty)
    precondition(parsed.version == .http1_0 || parsed.version == .http1_1)
    precondition(parsed.headers.count < defaultLimits.maxHeaderCount)
    let written = write { $0.writeHTTPRequestHead(parsed) }
    written.withUnsafeBytes { raw in
        var scanner = HTTPHeadScanner()
        precondition(scanner.headLength(in: raw) == raw.count, "a written request head ends where it ends")
        precondition(request(raw, unlimited) == .head(parsed), "written request reads back differently")
    }
    _ = parsed.path
    _ = parsed.query
    _ = parsed.targetAuthority
    _ = parsed.wantsKeepAlive

    var prepared = parsed
    let framing: HTTPFramingRules.RequestFraming
    do {
        framing = try HTTPFramingRules.prepareRequest(&prepared)
    } catch {
        precondition(error.status == 400 || error.status == 422, "framing error \(error) with status \(error.status)")
        return
    }
    var again = prepared
    do {
        let second = try HTTPFramingRules.prepareRequest(&again)
        precondition(second.framing == framing.framing, "framing \(second.framing) vs \(framing.framing) once normalised")
        precondition(!second.closeAfter)
        precondition(again == prepared, "preparing a prepared request changed it")
    } catch {
        preconditionFailure("a prepared request is refused when prepared again: \(error)")
    }
    if case .chunked = framing.framing { precondition(!prepared.headers.contains("Content-Length")) }
    // The normalised head is what is forwarded: it too must read back the same.
    write { $0.writeHTTPRequestHead(prepared) }.withUnsafeBytes { raw in
        precondition(request(raw, unlimited) == .head(prepared), "written prepared request reads back differently")
    }
}

private func checkResponse(_ parsed: HTTPResponseHead) {
    precondition((100...999).contains(parsed.status))
    precondition(parsed.version == .http1_0 || parsed.version == .http1_1)
    let written = write { $0.writeHTTPResponseHead(parsed) }
    written.withUnsafeBytes { raw in
        precondition(response(raw, unlimited) == .head(parsed), "written response reads back differently")
    }
    for method in ["GET", "HEAD"] {
        var prepared = parsed
        let framing: HTTPBodyFraming
        do {
            framing = try HTTPFramingRules.prepareResponse(&prepared, requestMethod: method)
        } catch {
            precondition(error.status == 502, "response framing error \(error) with status \(error.status)")
            continue
        }
        if method == "HEAD" || parsed.isInformational { precondition(framing == .none) }
        var again = prepared
        do {
            let second = try HTTPFramingRules.prepareResponse(&again, requestMethod: method)
            precondition(second == framing && again == prepared, "preparing a prepared response changed it")
        } catch {
            preconditionFailure("a prepared response is refused when prepared again: \(error)")
        }
    }
}

private func write(_ body: (inout ByteBuffer) -> Void) -> [UInt8] {
    var buffer = ByteBufferAllocator().buffer(capacity: 256)
    body(&buffer)
    return buffer.readBytes(length: buffer.readableBytes) ?? []
}
