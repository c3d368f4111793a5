import Testing
@testable import UsherRouting

@Suite("IP addresses and networks")
struct IPAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("fe80::1:2", "fe80::1:2"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        // inet_ntop keeps the dotted tail of mapped and compatible addresses, as HAProxy logs them.
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("::1.2.3.4", "::1.2.3.4"),
        ("::ffff:0:1", "::ffff:0.0.0.1"),
    ])
    func parseAndDescribe(text: String, description: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == description)
        #expect(IPAddress(address.description) == address)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "1..2.3", "a.b.c.d", "1.2.3.4 ",
        ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "::1:2:3:4:5:6:7:8", "12345::", "g::1", "1:2:3:4:5:6:7",
        "::ffff:1.2.3", "::1.2.3.4:5",
    ])
    func invalidAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func bytesRoundTrip() throws {
        let v4 = try #require(IPAddress("192.0.2.10"))
        #expect(v4.bytes == [192, 0, 2, 10])
        #expect(IPAddress(bytes: v4.bytes) == v4)
        let v6 = try #require(IPAddress("2001:db8::a:b"))
        #expect(v6.bytes.count == 16)
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func unmapped() throws {
        #expect(try #require(IPAddress("::ffff:10.1.2.3")).unmapped == IPAddress("10.1.2.3"))
        #expect(try #require(IPAddress("::1")).unmapped == IPAddress("::1"))
        #expect(try #require(IPAddress("10.1.2.3")).unmapped == IPAddress("10.1.2.3"))
    }

    @Test func networks() throws {
        let net = try #require(IPNetwork("10.0.0.0/8"))
        #expect(net.prefixLength == 8)
        #expect(net.contains(IPAddress("10.255.0.1")!))
        #expect(!net.contains(IPAddress("11.0.0.1")!))
        #expect(net.contains(IPAddress("::ffff:10.0.0.1")!))
        #expect(try #require(IPNetwork("10.0.0.0/255.255.0.0")).prefixLength == 16)
        #expect(try #require(IPNetwork("192.0.2.7")).prefixLength == 32)
        #expect(try #require(IPNetwork("::1")).prefixLength == 128)
        let six = try #require(IPNetwork("2001:db8::/32"))
        #expect(six.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!six.contains(IPAddress("2001:db9::1")!))
        let deep = try #require(IPNetwork("2001:db8::100/120"))
        #expect(deep.contains(IPAddress("2001:db8::1ff")!))
        #expect(!deep.contains(IPAddress("2001:db8::200")!))
        #expect(try #require(IPNetwork("::/0")).contains(IPAddress("2001:db8::1")!))
        for bad in ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/255.0.255.0", "::/129", "x/8"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }
}
