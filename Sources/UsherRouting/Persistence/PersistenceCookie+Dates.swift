/// The dates HAProxy appends to inserted cookies for `maxidle` and `maxlife`: a 30-bit count of
/// 4-second units since the epoch, written as 5 base64 digits.
extension PersistenceCookie {
    static let base64Digits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The 5 digits of a date in Unix seconds; like HAProxy, rounded up to the next 4-second unit.
    static func encodeDate(_ seconds: Int64) -> String {
        let units = Int((seconds + 3) >> 2)
        let digits = (0..<5).map { position in base64Digits[(units >> (24 - 6 * position)) & 0x3F] }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The date in Unix seconds of 5 digits, or `nil` if they are not base64 digits.
    static func decodeDate(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard digits.count >= 5 else { return nil }
        var units: Int64 = 0
        for digit in digits.prefix(5) {
            guard let value = base64Digits.firstIndex(of: digit) else { return nil }
            units = units << 6 + Int64(value)
        }
        return units << 2
    }
}
