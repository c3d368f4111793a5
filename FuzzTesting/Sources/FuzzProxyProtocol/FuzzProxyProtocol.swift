// libFuzzer harness for `ProxyProtocolParser` (PROXY protocol v1 and v2 headers, what a
// `bind … accept-proxy` reads first) and for the `IPAddress` text parser its v1 lines go through.
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
public func fuzzProxyProtocol(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    checkStream(input)
    // The bytes after a v2 signature, so the fuzzer need not find the twelve bytes itself.
    checkStream(ProxyProtocolHeader.v2Signature + input)
    if input.count <= 64 { checkAddress(String(decoding: input, as: UTF8.self)) }
    return 0
}

/// Equal answers, taking any two refusals as the same.
private func sameDecision(_ a: ProxyProtocolParser.Result, _ b: ProxyProtocolParser.Result) -> Bool {
    if case .invalid = a, case .invalid = b { return true }
    return a == b
}

private func checkStream(_ bytes: [UInt8]) {
    let result = ProxyProtocolParser.parse(bytes)
    // Every entry point a caller may use agrees.
    precondition(ProxyProtocolParser.parse(bytes[...]) == result)

    // Growing prefixes: "need more data" until decided, then the answer for the whole input (an
    // invalid header may be refused for another reason once more of it has arrived: a v1 line
    // without LF in 107 bytes is "longer than 107 bytes", with its LF past 107 "not ended by CRLF
    // within 107 bytes").
    var length = 0
    while length <= bytes.count {
        let partial = ProxyProtocolParser.parse(bytes[..<length])
        precondition(partial == .needMoreData || sameDecision(partial, result), "prefix \(length): \(partial) vs \(result)")
        if result == .needMoreData { precondition(partial == .needMoreData) }
        length += length < 128 ? 1 : 13
    }

    switch result {
    case .needMoreData:
        // Undecided only while a header may still fit: v1 lines are at most 107 bytes, v2
        // headers at most 536.
        precondition(bytes.count < 536, "\(bytes.count) bytes still undecided")
        if bytes.first == UInt8(ascii: "P") { precondition(bytes.count < 107) }
    case .invalid(let reason):
        precondition(!reason.isEmpty)
        // Nothing that follows can make it valid.
        precondition(sameDecision(ProxyProtocolParser.parse(bytes + Array("\r\n".utf8)), result))
    case .header(let header, let length):
        precondition(length > 0 && length <= bytes.count, "length \(length) of \(bytes.count)")
        if bytes[0] == UInt8(ascii: "P") {
            precondition(length <= 107 && bytes[length - 2] == 0x0D && bytes[length - 1] == 0x0A)
        } else {
            precondition(length >= 16 && length <= 536)
        }
        // The header is self-delimiting: its bytes alone, or with anything after them, read the same.
        precondition(ProxyProtocolParser.parse(bytes[..<length]) == result)
        precondition(ProxyProtocolParser.parse(bytes + [0x0D, 0x0A, 0x00]) == result)
        if let header { checkHeader(header) }
    }
}

/// What usher writes for a header reads back as that header (addresses compared as IPv4 when
/// they are IPv4-mapped: the encoders put both addresses in one family).
private func checkHeader(_ header: ProxyProtocolHeader) {
    precondition((0...65535).contains(header.sourcePort) && (0...65535).contains(header.destinationPort))
    checkAddress(header.source.description)
    checkAddress(header.destination.description)
    for encoded in [header.encodeV1(), header.encodeV2()] {
        guard case .header(let decoded?, let length) = ProxyProtocolParser.parse(encoded) else {
            preconditionFailure("\(header) encoded as \(encoded) does not read back")
        }
        precondition(length == encoded.count)
        precondition(decoded.source.unmapped == header.source.unmapped && decoded.destination.unmapped == header.destination.unmapped)
        precondition(decoded.sourcePort == header.sourcePort && decoded.destinationPort == header.destinationPort)
    }
}

/// An address that parses prints as text that parses back to it.
private func checkAddress(_ text: String) {
    guard let address = IPAddress(text) else { return }
    let printed = address.description
    precondition(IPAddress(printed) == address, "\(text) → \(address) printed as \(printed)")
    precondition(IPAddress(bytes: address.bytes) == address)
    precondition(address.bytes.count == (address.isV4 ? 4 : 16))
}
