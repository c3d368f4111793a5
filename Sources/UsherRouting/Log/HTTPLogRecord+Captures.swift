/// What `capture request header`, `capture response header` and `capture cookie` keep for the log.
extension HTTPLogRecord {
    /// The value of the last field named `name`, cut to `length` bytes; "" when there is none.
    public static func capture(_ name: String, length: Int, in headers: HTTPHeaders) -> String {
        guard let value = headers.fields.last(where: { $0.hasName(name) })?.value else { return "" }
        return String(decoding: value.utf8.prefix(max(0, length)), as: UTF8.self)
    }

    /// `capture cookie NAME len LENGTH`: the first cookie whose `name=value` starts with `prefix`, as
    /// `name=value` (spaces around `=` removed) cut to `length` bytes; `nil` when there is none. In
    /// a request every cookie of the `Cookie` fields counts; in a response the cookie of each
    /// `Set-Cookie` field.
    public static func captureCookie(prefix: String, length: Int, in headers: HTTPHeaders, response: Bool) -> String? {
        let wanted = Array(prefix.utf8)
        for field in headers.fields where field.hasName(response ? "Set-Cookie" : "Cookie") {
            let bytes = Array(field.value.utf8)
            let items = response ? CookieItem.setCookieItem(bytes).map { [$0] } ?? [] : CookieItem.requestItems(bytes)
            for item in items where item.equal != nil && !item.isAttribute(in: bytes) {
                let pair = Array(item.name(in: bytes)) + [UInt8(ascii: "=")] + Array(item.value(in: bytes))
                if pair.starts(with: wanted) {
                    return String(decoding: pair.prefix(max(0, length)), as: UTF8.self)
                }
            }
        }
        return nil
    }
}
