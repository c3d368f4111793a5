/// Cookie values as HAProxy's `req.cook()` and `res.cook()` families see them.
extension HTTPHeaders {
    /// The values of the cookies named `name` (of every cookie when `name` is `nil`) in the `Cookie`
    /// fields, in order. Names compare with case; items without `=` and `$` attributes are skipped.
    func requestCookieValues(_ name: String?) -> [String] {
        let wanted = name.map { Array($0.utf8) } ?? []
        var result: [String] = []
        for field in fields where field.hasName("Cookie") {
            let bytes = Array(field.value.utf8)
            // HAProxy does not look for a cookie that could not fit (so a final `NAME=` is missed).
            guard bytes.count >= wanted.count + 1 else { continue }
            for item in CookieItem.requestItems(bytes) {
                let scanStart = item.start == 0 ? 0 : item.start + 1
                guard scanStart + wanted.count + 1 < bytes.count else { break }
                guard item.equal != nil, !item.isAttribute(in: bytes) else { continue }
                if name == nil || item.name(in: bytes).elementsEqual(wanted) {
                    result.append(item.valueText(in: bytes))
                }
            }
        }
        return result
    }

    /// The values of the cookies named `name` (of every cookie when `name` is `nil`) set by the
    /// `Set-Cookie` fields, one per field, in order.
    func responseCookieValues(_ name: String?) -> [String] {
        var result: [String] = []
        for field in fields where field.hasName("Set-Cookie") {
            let bytes = Array(field.value.utf8)
            guard let item = CookieItem.setCookieItem(bytes), item.equal != nil, !item.isAttribute(in: bytes) else { continue }
            if name == nil || item.name(in: bytes).elementsEqual(name!.utf8) {
                result.append(item.valueText(in: bytes))
            }
        }
        return result
    }
}
