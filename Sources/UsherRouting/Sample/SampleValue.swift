/// The value a sample fetch produces, typed as HAProxy types samples.
public enum SampleValue: Sendable, Equatable {
    case string(String)
    case binary([UInt8])
    case integer(Int64)
    case address(IPAddress)
    case boolean(Bool)

    /// The value as text, the way it would appear in a log line or a `%[…]` expansion.
    public var text: String {
        switch self {
        case .string(let value): return value
        case .binary(let bytes): return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
        case .integer(let value): return String(value)
        case .address(let address): return address.description
        case .boolean(let value): return value ? "1" : "0"
        }
    }
}
