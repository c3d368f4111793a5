/// An address with a prefix length: `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`, `2001:db8::/32`.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    public var prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maximum = Self.width(of: address)
        var length = maximum
        if parts.count == 2 {
            if let value = Int(parts[1]), value >= 0, value <= maximum {
                length = value
            } else if case .v4 = address, case .v4(let mask)? = IPAddress(parts[1]) {
                // a dotted netmask must be contiguous
                let ones = mask.nonzeroBitCount
                guard mask == (ones == 0 ? 0 : ~UInt32(0) << (32 - ones)) else { return nil }
                length = ones
            } else {
                return nil
            }
        }
        self.address = address
        self.prefixLength = length
    }

    public var description: String { "\(address)/\(prefixLength)" }

    static func width(of address: IPAddress) -> Int {
        if case .v4 = address { return 32 }
        return 128
    }

    /// Whether `candidate` lies in this network. IPv4 networks also match IPv4-mapped IPv6 addresses.
    public func contains(_ candidate: IPAddress) -> Bool {
        switch (address, candidate.unmapped) {
        case (.v4(let network), .v4(let value)):
            guard prefixLength > 0 else { return true }
            let mask = ~UInt32(0) << (32 - prefixLength)
            return network & mask == value & mask
        case (.v6(let nh, let nl), .v6(let vh, let vl)):
            if prefixLength <= 64 {
                let mask: UInt64 = prefixLength == 0 ? 0 : ~UInt64(0) << (64 - prefixLength)
                return nh & mask == vh & mask
            }
            let mask: UInt64 = ~UInt64(0) << (128 - prefixLength)
            return nh == vh && nl & mask == vl & mask
        case (.v6, .v4(let value)):
            // an IPv6 network written as ::ffff:a.b.c.d/…
            return IPNetwork.contains(self, mapped: value)
        default:
            return false
        }
    }

    private static func contains(_ network: IPNetwork, mapped value: UInt32) -> Bool {
        let mapped = IPAddress.v6(0, 0xFFFF_0000_0000 | UInt64(value))
        guard case .v6(let nh, let nl) = network.address, case .v6(let vh, let vl) = mapped else { return false }
        if network.prefixLength <= 64 {
            let mask: UInt64 = network.prefixLength == 0 ? 0 : ~UInt64(0) << (64 - network.prefixLength)
            return nh & mask == vh & mask
        }
        let mask: UInt64 = ~UInt64(0) << (128 - network.prefixLength)
        return nh == vh && nl & mask == vl & mask
    }
}
