// libFuzzer harness for the start of a TLS connection: `TLSAcceptStateMachine` (PROXY header,
// ClientHello, certificate choice) and `ServerHelloSummary` (what the proxy's own ServerHello
// says). The first byte of an input configures the bind: bit 0 `accept-proxy`, bit 1 `strict-sni`,
// bit 2 a 300-byte hello cap, bit 3 "the rest is a ClientHello body" (wrapped in a handshake
// header and a record, after a fixed PROXY line when bit 0 is set, so that the fuzzer reaches
// the extensions without having to discover the framing). The rest is what the client sends,
// fed whole and in pieces of several sizes: every way must give the same actions. The same bytes
// are also read as the server's first bytes, as they are and wrapped as a ServerHello body.
// Any broken invariant is a `precondition` failure, which libFuzzer reports as a crash.
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
public func fuzzTLSAccept(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    guard let selector = input.first else { return 0 }
    let rest = Array(input.dropFirst())
    let bind = Bind(
        expectsProxyHeader: selector & 1 != 0,
        chooser: selector & 2 != 0 ? strictChooser : chooser,
        parser: selector & 4 != 0 ? smallParser : parser
    )
    var stream = rest
    if selector & 8 != 0 {
        stream = records(handshakeMessage(type: 1, body: rest))
        if bind.expectsProxyHeader { stream = Array("PROXY TCP4 192.0.2.1 198.51.100.2 40000 443\r\n".utf8) + stream }
    }
    checkAccept(stream, bind: bind, serverBytes: rest)
    checkServerHello(rest)
    checkServerHello(records(handshakeMessage(type: 2, body: rest)))
    return 0
}

private let entries: [CertificateChooser.Entry] = [
    .init(names: ["example.com", "*.example.com"], keyType: .rsa),
    .init(names: ["example.com", "www.example.com"], keyType: .ecdsa),
    .init(names: ["www.example.org"], sniFilters: ["*.example.net", "!bad.example.net", "!*"]),
    .init(names: ["only.example.org"], mayBeDefault: false, keyType: .other),
]
private let chooser = CertificateChooser(entries: entries)
private let strictChooser = CertificateChooser(entries: entries, strictSNI: true)
private let parser = ClientHelloParser()
private let smallParser = ClientHelloParser(maximumHelloSize: 300)

private struct Bind {
    var expectsProxyHeader: Bool
    var chooser: CertificateChooser
    var parser: ClientHelloParser

    func machine() -> TLSAcceptStateMachine {
        TLSAcceptStateMachine(chooser: chooser, parser: parser, expectsProxyHeader: expectsProxyHeader)
    }
}

/// What a connection came to: the actions other than `readMore`, in order, and the final state.
private struct Run: Equatable {
    var actions: [TLSAcceptStateMachine.Action] = []
    var state: TLSAcceptStateMachine.State
}

/// Feeds `stream` in pieces of `pieceLength` bytes as `TLSAcceptHandler` does: everything received
/// so far on each call, less a PROXY header once one is read.
private func drive(_ stream: [UInt8], bind: Bind, pieceLength: Int) -> (run: Run, machine: TLSAcceptStateMachine) {
    var machine = bind.machine()
    var actions: [TLSAcceptStateMachine.Action] = []
    var buffer: [UInt8] = []
    var delivered = 0
    feeding: while delivered < stream.count || delivered == 0 {
        let end = min(stream.count, delivered + pieceLength)
        buffer += stream[delivered..<end]
        delivered = end
        while true {
            let action = buffer.withUnsafeBytes { machine.received($0) }
            switch action {
            case .readMore:
                if delivered == stream.count { break feeding }
                continue feeding
            case .proxyHeader(let header, let length):
                precondition(length > 0 && length <= buffer.count, "PROXY header of \(length) bytes in \(buffer.count)")
                precondition(ProxyProtocolParser.parse(buffer) == .header(header, length: length))
                actions.append(action)
                buffer.removeFirst(length)
            case .handshake, .close, .refuse:
                actions.append(action)
                precondition(!machine.isReading)
                // Done reading: more bytes change nothing.
                precondition(buffer.withUnsafeBytes { machine.received($0) } == .readMore)
                break feeding
            }
        }
    }
    return (Run(actions: actions, state: machine.state), machine)
}

private func checkAccept(_ stream: [UInt8], bind: Bind, serverBytes: [UInt8]) {
    let (whole, wholeMachine) = drive(stream, bind: bind, pieceLength: max(stream.count, 1))

    // The actions make sense for the bind.
    var sawProxyHeader = false
    for (index, action) in whole.actions.enumerated() {
        switch action {
        case .readMore:
            preconditionFailure("readMore recorded")
        case .proxyHeader:
            precondition(bind.expectsProxyHeader && index == 0)
            sawProxyHeader = true
        case .handshake(let certificate, let hello):
            precondition(index == whole.actions.count - 1)
            precondition(certificate >= 0 && certificate < entries.count)
            if let hello {
                let signatures = hello.certificateSignatures
                let expected = bind.chooser.choose(
                    serverName: hello.serverName,
                    signatures: CertificateChooser.SignatureSupport(rsa: signatures.rsa, ecdsa: signatures.ecdsa)
                )
                precondition(certificate == expected, "certificate \(certificate) for \(String(describing: hello.serverName)), chooser says \(String(describing: expected))")
                precondition(whole.state == .waitingForServerHello(clientSessionID: hello.sessionID))
            } else {
                precondition(certificate == (bind.chooser.defaultIndex ?? 0) && whole.state == .done)
            }
        case .close:
            precondition(index == whole.actions.count - 1 && whole.state == .done)
        case .refuse(let alert):
            precondition(index == whole.actions.count - 1 && whole.state == .done)
            precondition(alert == 112 && bind.chooser.strictSNI)
        }
    }
    if bind.expectsProxyHeader && !sawProxyHeader {
        // Still reading the PROXY header, or refused it.
        precondition(whole.actions.isEmpty || whole.actions == [.close])
    }

    // The hello part agrees with the ClientHello parser on the same bytes.
    if case .handshake(_, let hello)? = whole.actions.last {
        var helloBytes = stream
        if case .proxyHeader(_, let length)? = whole.actions.first { helloBytes.removeFirst(length) }
        switch bind.parser.parse(helloBytes) {
        case .clientHello(let parsed): precondition(hello == parsed)
        case .notClientHello(let reason): precondition(hello == nil && reason != .notHandshakeRecord)
        case .needMoreData: preconditionFailure("handshake on bytes the parser wants more of")
        }
    }

    // The same bytes in pieces: the same actions, the same end.
    for pieceLength in [1, 5, 61, 509] where pieceLength < stream.count && (pieceLength > 1 || stream.count <= 600) {
        let (run, _) = drive(stream, bind: bind, pieceLength: pieceLength)
        precondition(run == whole, "pieces of \(pieceLength): \(run) vs \(whole)")
    }

    // After the hello, the proxy's first bytes are read once for the cipher and the resumption.
    var machine = wholeMachine
    if case .waitingForServerHello(let sessionID) = machine.state {
        let summary = serverBytes.withUnsafeBytes { machine.sent($0) }
        precondition(summary == serverBytes.withUnsafeBytes { ServerHelloSummary.parse($0, clientSessionID: sessionID) })
        precondition(machine.state == .done)
    }
    precondition(serverBytes.withUnsafeBytes { machine.sent($0) } == nil)
}

/// `ServerHelloSummary.parse` reads one record: a prefix answers nil or the whole answer, and
/// the client's session id changes nothing but `resumed`.
private func checkServerHello(_ bytes: [UInt8]) {
    let sessionIDs: [[UInt8]] = [[], [UInt8](repeating: 0xAB, count: 32), serverSessionID(bytes)]
    bytes.withUnsafeBytes { raw in
        let answers = sessionIDs.map { ServerHelloSummary.parse(raw, clientSessionID: $0) }
        for answer in answers {
            precondition((answer == nil) == (answers[0] == nil) && answer?.cipherSuite == answers[0]?.cipherSuite)
            _ = answer?.cipher
        }
        var length = 0
        while length < raw.count {
            let prefix = UnsafeRawBufferPointer(rebasing: raw[..<length])
            let partial = ServerHelloSummary.parse(prefix, clientSessionID: sessionIDs[2])
            precondition(partial == nil || partial == answers[2], "prefix \(length): \(String(describing: partial)) vs \(String(describing: answers[2]))")
            length += length < 300 ? 1 : 61
        }
    }
}

/// The session id a well-formed ServerHello echoes, found by a walk of its own (empty when there is none).
private func serverSessionID(_ bytes: [UInt8]) -> [UInt8] {
    // record header (5), handshake header (4), version (2), random (32), then the id's length.
    let lengthOffset = 5 + 4 + 2 + 32
    guard bytes.count > lengthOffset else { return [] }
    let end = lengthOffset + 1 + Int(bytes[lengthOffset])
    guard end <= bytes.count else { return [] }
    return Array(bytes[(lengthOffset + 1)..<end])
}

private func handshakeMessage(type: UInt8, body: [UInt8]) -> [UInt8] {
    [type, UInt8(truncatingIfNeeded: body.count >> 16), UInt8(truncatingIfNeeded: body.count >> 8),
     UInt8(truncatingIfNeeded: body.count)] + body
}

/// `message` in TLS 1.2 handshake records of at most 16 KiB each.
private func records(_ message: [UInt8]) -> [UInt8] {
    var result: [UInt8] = []
    var start = 0
    while start < message.count {
        let end = min(message.count, start + 16_384)
        result += [22, 3, 3, UInt8((end - start) >> 8), UInt8((end - start) & 0xFF)]
        result += message[start..<end]
        start = end
    }
    return result
}
