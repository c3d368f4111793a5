// libFuzzer harness for ClientHelloParser. Every input is used twice:
//  1. as the first bytes of a connection, whole and as growing prefixes, and
//  2. as the body of a ClientHello handshake message wrapped in TLS records, so that the
//     fuzzer reaches the extension parsing without having to discover the record framing.
// Any broken invariant is a `precondition` failure, which libFuzzer reports as a crash.
//
// Built by SwiftPM, this file imports the UsherRouting library; built by hand with swiftc
// together with Sources/UsherRouting/ClientHello/*.swift (see README.md), the parser is in the
// same module and there is nothing to import.
#if canImport(UsherRouting)
import UsherRouting
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientHello(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    checkStream(input)
    checkStream(records(handshakeMessage(body: input), fragmentLength: 16_384, version: 0x0301))
    return 0
}

private let parser = ClientHelloParser()
private let smallParser = ClientHelloParser(maximumHelloSize: 300)

/// Checks every invariant on `bytes` taken as the first bytes of a connection.
private func checkStream(_ bytes: [UInt8]) {
    let result = parser.parse(bytes)
    let helloType = parser.helloType(bytes)
    let sslVersion = parser.sslVersion(bytes)

    // The [UInt8] and the raw-buffer entry points agree, and parsing is deterministic.
    precondition(bytes.withUnsafeBytes { parser.parse($0) } == result)

    // Answers for growing prefixes: only ever "need more data" or the final answer.
    bytes.withUnsafeBytes { raw in
        for step in [1, 61, 509] {
            // One-byte steps are quadratic: only over the start of long inputs.
            let end = step == 1 ? min(raw.count, 300) : raw.count
            for length in stride(from: 0, to: end, by: step) {
                let prefix = UnsafeRawBufferPointer(rebasing: raw[..<length])
                let partial = parser.parse(prefix)
                precondition(partial == .needMoreData || partial == result, "prefix \(length): \(partial) vs \(result)")
                let partialType = parser.helloType(prefix)
                precondition(partialType == .needMoreData || partialType == helloType)
                let partialVersion = parser.sslVersion(prefix)
                precondition(partialVersion == .needMoreData || partialVersion == sslVersion)
            }
        }
    }

    // A definitive answer does not depend on what follows.
    if result != .needMoreData {
        precondition(parser.parse(bytes + [0x16, 0x03, 0x01, 0x00]) == result)
    }

    // The three fetches tell one story.
    switch result {
    case .clientHello(let hello):
        precondition(hello.handshakeType == 1)
        precondition(sslVersion == .value(ClientHelloParser.haproxyVersion(hello.legacyVersion)))
        if hello.isSSLv2Compatible {
            precondition(helloType == .noValue)
            precondition(hello.recordVersion == 0x0002 && hello.serverNames.isEmpty && hello.alpnProtocols.isEmpty)
        } else {
            precondition(helloType == .value(1))
            checkRefragmenting(bytes, hello: hello)
        }
    case .needMoreData:
        precondition(sslVersion == .needMoreData)
        precondition(helloType == .needMoreData || (helloType == .noValue && bytes[0] & 0x80 != 0))
    case .notClientHello(.notHandshakeRecord):
        precondition(helloType == .noValue && sslVersion == .noValue)
    case .notClientHello(.tooLarge):
        precondition(helloType == .noValue && sslVersion == .noValue)
    case .notClientHello(.notClientHelloMessage):
        precondition(sslVersion == .noValue)
    case .notClientHello(.malformed):
        break
    }
    if helloType == .value(1) {
        precondition(result == .notClientHello(.malformed) || { if case .clientHello = result { true } else { false } }())
    }

    // A smaller size cap only ever turns answers into .tooLarge.
    let small = smallParser.parse(bytes)
    if small != result {
        precondition(small == .notClientHello(.tooLarge), "\(small) vs \(result)")
    }
}

/// The same hello cut into records of other sizes must give the same answer.
private func checkRefragmenting(_ bytes: [UInt8], hello: ClientHello) {
    guard let message = firstHandshakeMessage(bytes) else {
        preconditionFailure("the parser found a hello that the harness cannot find")
    }
    for fragmentLength in [1, 3, 100, 16_384] {
        let refragmented = records(message, fragmentLength: fragmentLength, version: hello.recordVersion)
        precondition(parser.parse(refragmented) == .clientHello(hello), "fragments of \(fragmentLength)")
    }
}

/// The first handshake message of a well-framed record stream, gathered from its fragments.
/// A walk of its own, independent of the parser's.
private func firstHandshakeMessage(_ bytes: [UInt8]) -> [UInt8]? {
    var message: [UInt8] = []
    var offset = 0
    while offset + 5 <= bytes.count, bytes[offset] == 22 {
        let length = Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4])
        let end = min(bytes.count, offset + 5 + length)
        message += bytes[(offset + 5)..<end]
        if message.count >= 4 {
            let total = 4 + (Int(message[1]) << 16 | Int(message[2]) << 8 | Int(message[3]))
            if message.count >= total {
                return Array(message[..<total])
            }
        }
        offset = end
    }
    return nil
}

private func handshakeMessage(body: [UInt8]) -> [UInt8] {
    [1, UInt8(truncatingIfNeeded: body.count >> 16), UInt8(truncatingIfNeeded: body.count >> 8),
     UInt8(truncatingIfNeeded: body.count)] + body
}

private func records(_ message: [UInt8], fragmentLength: Int, version: UInt16) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(message.count + (message.count / fragmentLength + 1) * 5)
    var start = 0
    while start < message.count {
        let end = min(message.count, start + fragmentLength)
        result += [22, UInt8(version >> 8), UInt8(version & 0xFF), UInt8((end - start) >> 8), UInt8((end - start) & 0xFF)]
        result += message[start..<end]
        start = end
    }
    return result
}
