// libFuzzer harness for usher's DNS code: `DNSMessage.parseResponse` (answers from name servers
// are untrusted bytes) and `ResolverStateMachine`, which acts on them. The input is read twice:
// 1. as a whole DNS message: parsing never traps, stays within its bounds (names of at most 255
//    bytes, at most 512 records), and every prefix parses or fails without trapping;
// 2. as the answer to a query the state machine really sent: byte 0 picks the request (bit 0:
//    the A/AAAA one or the SRV one) and sets the truncation bit and response code (bits 1-5),
//    bytes 1-2 are the answer and additional counts, the rest follows the question. Whatever the
//    bytes, the machine updates only the servers of its requests, with a usable address (never
//    0.0.0.0 or ::) or none, a port from 1 to 65535 and a weight from 0 to 256 when it sets them.
// Any broken invariant is a `precondition` failure, which libFuzzer reports as a crash.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import UsherConfig
import UsherRouting

// Swift drops the messages of `precondition` in release builds; this keeps them (`fatalError`
// prints its message), so that a crash says which invariant broke and on what.
private func precondition(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(), file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

func checkParse(_ bytes: [UInt8]) {
    if case .success(let response) = DNSMessage.parseResponse(bytes) {
        precondition(response.answers.count + response.additionals.count <= 512, "more than 512 records")
        for record in response.answers + response.additionals {
            precondition(record.name.utf8.count <= 255, "a name longer than 255 bytes: \(record.name.utf8.count)")
            if case .canonicalName(let target) = record.data { precondition(target.utf8.count <= 255, "a CNAME target longer than 255 bytes") }
            if case .service(_, _, _, let target) = record.data { precondition(target.utf8.count <= 255, "an SRV target longer than 255 bytes") }
        }
        precondition(response.questionName.utf8.count <= 255, "a question longer than 255 bytes")
    }
    // Cuts at a few places: no trap.
    for length in [0, 1, 11, 12, 13, bytes.count / 2, bytes.count - 1] where length >= 0 && length < bytes.count {
        _ = DNSMessage.parseResponse(Array(bytes.prefix(length)))
    }
}

/// The end of the question section of a query (its name, then type and class).
func questionEnd(_ query: [UInt8]) -> Int? {
    var index = 12
    while index < query.count {
        let length = Int(query[index])
        if length == 0 { return index + 1 + 4 <= query.count ? index + 5 : nil }
        index += 1 + length
    }
    return nil
}

func checkStateMachine(_ bytes: [UInt8]) {
    guard bytes.count >= 3 else { return }
    var settings = Resolvers(name: "dns", location: SourceLocation(file: "fuzz.cfg", line: 1))
    settings.nameservers = [Nameserver(name: "ns", host: "127.0.0.1", port: 53, location: SourceLocation(file: "fuzz.cfg", line: 2))]
    let requests = [
        ResolverStateMachine.Request(name: "app.test", kind: .address, servers: [0, 1, 2]),
        ResolverStateMachine.Request(name: "_http._tcp.svc.test", kind: .service, servers: [3, 4]),
    ]
    var machine = ResolverStateMachine(settings: settings, requests: requests)
    let queries = machine.tick(now: .zero).compactMap { action -> [UInt8]? in
        if case .send(let query) = action { return query }
        return nil
    }
    guard !queries.isEmpty else { return }
    let query = queries[Int(bytes[0] & 1) % queries.count]
    guard query.count >= 12, let end = questionEnd(query) else { return }
    var response = Array(query[0..<2])
    response += [0x81 | (bytes[0] & 0x02), 0x80 | ((bytes[0] >> 2) & 0x0F)]
    response += [0, 1, 0, bytes[1], 0, 0, 0, bytes[2]]
    response += query[12..<end]
    response += bytes.dropFirst(3)
    var actions = machine.receive(response, now: .milliseconds(5))
    actions += machine.tick(now: .seconds(2))
    for action in actions {
        guard case .update(let server, let slot, _) = action else { continue }
        precondition((0...4).contains(server), "an update for server \(server), which no request has")
        if let address = slot.address {
            precondition(address != .v4(0) && address != .v6(0, 0), "an unusable address \(address) given to server \(server)")
        }
        if let port = slot.port { precondition((1...65535).contains(port), "port \(port)") }
        // An SRV weight of 0 gives a server weight of 0 (no new traffic), as in HAProxy.
        if let weight = slot.weight { precondition((0...256).contains(weight), "weight \(weight)") }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkParse(bytes)
    checkStateMachine(bytes)
    return 0
}
