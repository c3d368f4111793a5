// libFuzzer harness for what usher reads from query strings and forms — `FormURLEncoding`, the
// Prometheus exporter's query (`PrometheusQuery`), the statistics page's URI options, admin form
// and Basic credentials (`StatsPageRequest`) — and for the runtime API's command reader
// (`RuntimeAPIRequest` and `RuntimeAPISessionStateMachine`, fed the bytes of a connection).
// Every input is read as text by the first group. An input whose first byte has bit 7 set is also
// a runtime API connection: that byte sets the socket's level (bits 0-1: user, operator, admin),
// `expose-fd listeners` (bit 2) and a 64-byte line limit (bit 3), and the rest is what the client
// sends, whole and in pieces. Any broken invariant is a `precondition` failure, which libFuzzer
// reports as a crash.
//
// Set FUZZ_SKIP to a comma-separated list of check names to leave out checks that fail on a
// known bug while fuzzing for others: `stats-link` (see README.md, "Findings"; fixed).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
public func fuzzFormAndQuery(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    let text = String(decoding: input, as: UTF8.self)
    checkFormDecoding(text)
    checkPrometheusQuery(text)
    checkStatsPage(text)
    checkRequestWords(input)
    // Replaying a session in pieces costs far more than the rest: only for inputs marked for it.
    // At most 16 lines or commands, for the same reason.
    if let selector = input.first, selector & 0x80 != 0 {
        var separators = 0
        let end = input.indices.dropFirst().first { index in
            if input[index] == 0x0A || input[index] == UInt8(ascii: ";") { separators += 1 }
            return separators > 16
        } ?? input.count
        checkSession(Array(input[1..<end]), selector: selector)
    }
    return 0
}

private let skipped: Set<Substring> = {
    guard let value = getenv("FUZZ_SKIP") else { return [] }
    return Set(String(cString: value).split(separator: ","))
}()

// MARK: - Forms and queries

private func checkFormDecoding(_ text: String) {
    let decoded = FormURLEncoding.decode(text[...])
    precondition(decoded == referenceDecode(Array(text.utf8)), "\(String(describing: decoded)) vs reference")
    if !text.utf8.contains(UInt8(ascii: "%")) {
        // Without escapes nothing can fail: only '+' changes.
        precondition(decoded == String(decoding: text.utf8.map { $0 == UInt8(ascii: "+") ? 0x20 : $0 }, as: UTF8.self))
    }
    // Any text encoded as a form encodes reads back as itself.
    precondition(FormURLEncoding.decode(encode(text)[...]) == text)
    if let decoded { precondition(FormURLEncoding.decode(encode(decoded)[...]) == decoded) }
}

/// `application/x-www-form-urlencoded` decoding over bytes, written apart from usher's.
private func referenceDecode(_ bytes: [UInt8]) -> String? {
    func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "+"):
            output.append(0x20)
            index += 1
        case UInt8(ascii: "%"):
            guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else { return nil }
            output.append(high << 4 | low)
            index += 3
        default:
            output.append(bytes[index])
            index += 1
        }
    }
    return String(validating: output, as: UTF8.self)
}

/// Unreserved bytes as they are, a space as `+`, anything else as `%XX`.
private func encode(_ text: String) -> String {
    var output = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            output.unicodeScalars.append(Unicode.Scalar(byte))
        case 0x20:
            output += "+"
        default:
            let digits = Array("0123456789ABCDEF".utf8)
            output += "%" + String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }
    }
    return output
}

private func checkPrometheusQuery(_ text: String) {
    let query = PrometheusQuery(query: text[...])
    // Parameters the exporter does not know are ignored, and so are empty ones.
    precondition(PrometheusQuery(query: (text + "&other=1")[...]) == query)
    precondition(PrometheusQuery(query: ("x&&" + text + "&")[...]) == query)
    precondition(PrometheusQuery(query: text.replacingAll("&", with: "&&")[...]) == query)
    precondition(PrometheusQuery(query: nil) == PrometheusQuery())
}

private extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}

private func checkStatsPage(_ text: String) {
    let uri = "/stats"
    for target in [text, uri + text] {
        let request = StatsPageRequest(target: target, uri: uri)
        guard !skipped.contains("stats-link") else { continue }
        // The page's links go into `href="…"` attributes and, after an admin action, into a
        // `Location` header: they must stay URL text whatever the request held, and read back
        // as the same options.
        for link in [request.link(uri: uri), request.link(uri: uri, extra: ["st=DONE"], up: false)] {
            precondition(link.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && !Array("\"'<>\\`".utf8).contains($0) },
                         "stats link \(link.debugDescription) from \(target.debugDescription)")
        }
        let again = StatsPageRequest(target: request.link(uri: uri), uri: uri)
        precondition(again.scope == request.scope && again.onlyUp == request.onlyUp && again.noRefresh == request.noRefresh,
                     "stats link \(request.link(uri: uri).debugDescription) reads back as other options")
    }
    _ = StatsPageRequest.AdminForm(body: text)
    if let (user, password) = StatsPageRequest.basicCredentials(text) {
        precondition(!user.contains(":"))
        let encoded = "Basic " + base64(Array((user + ":" + password).utf8))
        let decoded = StatsPageRequest.basicCredentials(encoded)
        precondition(decoded?.user == user && decoded?.password == password, "credentials \(user):\(password) do not read back")
    }
}

private func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
        for position in 0..<4 {
            output.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
        }
        index += 3
    }
    return String(decoding: output, as: UTF8.self)
}

// MARK: - Runtime API

/// A command line's words, escaped, read back as the same words.
private func checkRequestWords(_ line: [UInt8]) {
    let requests = RuntimeAPIRequest.parse(line: line)
    precondition(!requests.isEmpty)
    for request in requests where !request.words.contains("") {
        var escaped: [UInt8] = []
        for (index, word) in request.words.enumerated() {
            if index > 0 { escaped.append(0x20) }
            for byte in word.utf8 {
                if [UInt8(ascii: "\\"), 0x20, 0x09, 0x0D, UInt8(ascii: ";")].contains(byte) { escaped.append(UInt8(ascii: "\\")) }
                escaped.append(byte)
            }
        }
        precondition(RuntimeAPIRequest.parse(line: escaped) == [request], "\(request.words) escaped does not read back")
    }
    // An empty word is only a backslash that ends the line.
    for (index, request) in requests.enumerated() {
        for (position, word) in request.words.enumerated() where word.isEmpty {
            precondition(index == requests.count - 1 && position == request.words.count - 1 && line.last == UInt8(ascii: "\\"))
        }
    }
    _ = RuntimeAPICommandCatalogue.entry(for: requests[0])
    _ = RuntimeAPICommandCatalogue.help(requests[0].words)
    _ = RuntimeAPICommandCatalogue.unknownCommand(requests[0].words)
}

/// What a session wrote and how it ended.
private struct Transcript: Equatable {
    var output = ""
    var closed = false
    var handedOver = false
    var level: RuntimeAPILevel
    var interactive = false
}

private let sessionWords: Set<[String]> = [["quit"], ["_getsocks"], ["prompt"], ["operator"], ["user"], ["show", "cli", "level"]]

/// Feeds `bytes` in pieces of the given lengths (the last takes what is left), stopping when the
/// session closes.
private func session(_ bytes: [UInt8], selector: UInt8, pieces: [Int]) -> (transcript: Transcript, closedEarly: Bool) {
    let level = RuntimeAPILevel(rawValue: Int(selector & 3) % 3) ?? .admin
    var machine = RuntimeAPISessionStateMachine(level: level, lineLimit: selector & 8 != 0 ? 64 : 16_384, exposesListeners: selector & 4 != 0)
    var transcript = Transcript(level: level)
    var offset = 0
    var lengths = pieces[...]
    var closedEarly = false
    repeat {
        let length = min(lengths.popFirst() ?? bytes.count, bytes.count - offset)
        let levelBefore = machine.level
        let actions = machine.receive(bytes[offset..<(offset + length)]) { request, level in
            // Only commands of the catalogue, at a level that allows them, reach the runtime.
            precondition(level <= levelBefore)
            precondition(!sessionWords.contains(request.words) && request.words.first != "help", "\(request.words) executed")
            guard let entry = RuntimeAPICommandCatalogue.entry(for: request) else { preconditionFailure("\(request.words) is no command") }
            precondition(entry.level <= level, "\(request.words) executed at \(level)")
            return request.words.count % 2 == 0 ? .output("ran \(request.words.joined(separator: "|"))") : .raw("raw\n")
        }
        offset += length
        precondition(machine.level <= levelBefore, "level went up")
        for (index, action) in actions.enumerated() {
            switch action {
            case .write(let text):
                precondition(index == 0 && !text.isEmpty)
                transcript.output += text
            case .close, .handOverListeners:
                precondition(index == actions.count - 1 && machine.isClosed)
                transcript.closed = true
                transcript.handedOver = action == .handOverListeners
                if action == .handOverListeners { precondition(machine.exposesListeners) }
            }
        }
        if machine.isClosed {
            precondition(transcript.closed, "closed without a close action")
            precondition(machine.receive([0x0A]) { _, _ in preconditionFailure("ran a command after the close") }.isEmpty)
            closedEarly = offset < bytes.count
            break
        }
    } while offset < bytes.count
    transcript.level = machine.level
    transcript.interactive = machine.isInteractive
    return (transcript, closedEarly)
}

/// Pieces change only when a non-interactive session closes (once every line received so far has
/// been answered, as HAProxy's does): then it has written a beginning of what it writes given
/// everything at once. Otherwise the transcript is the same.
private func checkSession(_ bytes: [UInt8], selector: UInt8) {
    let (whole, _) = session(bytes, selector: selector, pieces: [])
    // Two pieces, split where it matters: over the start, next to the first line ends, and sparsely
    // elsewhere (every position would cost a number of commands quadratic in the lines).
    var splits = Set(0...min(bytes.count, 8))
    for index in bytes.indices.filter({ bytes[$0] == 0x0A }).prefix(8) { splits.formUnion(max(0, index - 1)...min(bytes.count, index + 2)) }
    splits.formUnion(stride(from: 0, through: bytes.count, by: 127))
    var variants = splits.sorted().map { [$0] }
    // An unknown command costs the session a spelling comparison with every command it knows
    // (HAProxy's "did you mean", some 2 ms with sanitizers): replays of many commands are thinned.
    let commands = bytes.reduce(1) { $0 + ($1 == 0x0A || $1 == UInt8(ascii: ";") ? 1 : 0) }
    let budget = max(3, 80 / commands)
    if variants.count > budget {
        let step = Double(variants.count) / Double(budget)
        variants = (0..<budget).map { variants[Int(Double($0) * step)] }
    }
    if commands <= 4 { variants.append([Int](repeating: 1, count: bytes.count)) }
    variants.append([Int](repeating: 17, count: bytes.count / 17 + 1))
    for pieces in variants {
        let (run, closedEarly) = session(bytes, selector: selector, pieces: pieces)
        if closedEarly {
            precondition(whole.output.hasPrefix(run.output), "pieces \(pieces.prefix(3)): \(run.output.debugDescription) is not a beginning of \(whole.output.debugDescription)")
        } else {
            precondition(run == whole, "pieces \(pieces.prefix(3)): \(run) vs \(whole)")
        }
    }
}
