import Testing
@testable import UsherRouting

/// String match methods on a binary sample (`req.payload(…) -m str "…"`): HAProxy compares the
/// raw bytes, which is how its Redis check reg-test recognises `PING` through a TCP listener.
struct BinaryStringMatchTests {
    let ping: [UInt8] = Array("*1\r\n$4\r\nPING\r\n".utf8)

    func matches(_ pattern: String, _ method: MatchMethod, ignoreCase: Bool = false) throws -> Bool {
        let compiled = try Pattern.compile(pattern, method: method, ignoreCase: ignoreCase, dottedVersions: false)
        return compiled.matches(.binary(ping), method: method, ignoreCase: ignoreCase)
    }

    @Test func exactBytesMatch() throws {
        #expect(try matches("*1\r\n$4\r\nPING\r\n", .string))
        #expect(try !matches("*1\r\n$4\r\nPONG\r\n", .string))
        // Not the hex digits of the bytes.
        #expect(try !matches("2A310D0A24340D0A50494E470D0A", .string))
    }

    @Test func prefixSuffixAndSubstringWorkAcrossCRLF() throws {
        #expect(try matches("*1\r", .beginning))
        #expect(try matches("G\r\n", .end))
        #expect(try matches("\n$4\r", .substring))
        #expect(try !matches("PONG", .substring))
        #expect(try matches("", .substring))
        #expect(try matches("ping", .substring, ignoreCase: true))
    }

    @Test func textSamplesAreUnchanged() throws {
        let compiled = try Pattern.compile("abc", method: .beginning, ignoreCase: false, dottedVersions: false)
        #expect(compiled.matches(.string("abcdef"), method: .beginning, ignoreCase: false))
        #expect(!compiled.matches(.string("xabc"), method: .beginning, ignoreCase: false))
    }
}
