import UsherConfig

/// The request keys HAProxy's HTTP hash algorithms balance on, hashed with the backend's
/// `hash-type` function (sdbm without avalanche unless it says otherwise). Pass the result to
/// ``ServerBalancer/choose(_:sourceHash:requestHash:)``; `nil` means the request lacks the key, and
/// HAProxy then balances round robin.
public enum RequestHash {
    /// `balance uri [whole] [len N] [depth N] [path-only]`: the target up to the `?` (all of it with
    /// `whole`), at most `length` bytes, at most `depth` directories; `pathOnly` starts at the path,
    /// leaving out the scheme and authority of an absolute target.
    public static func uri(_ request: HTTPRequestHead, whole: Bool = false, length: Int? = nil, depth: Int? = nil, pathOnly: Bool = false, using hashType: HashType = .default) -> UInt32 {
        hashType.hash(uriKey(request, whole: whole, length: length, depth: depth, pathOnly: pathOnly))
    }

    /// `balance url_param NAME`: the value of the first `NAME=` parameter of the query (parameters
    /// separated by `&`), empty values included; `nil` without one.
    public static func urlParameter(_ request: HTTPRequestHead, name: String, using hashType: HashType = .default) -> UInt32? {
        urlParameterKey(request, name: name).map { hashType.hash($0) }
    }

    /// `balance hdr(NAME) [use_domain_only]`: the first value of the header; with `domainOnly`, only
    /// the label before the last dot (`1wt` of `haproxy.1wt.eu`). `nil` when the header is missing
    /// or empty.
    public static func header(_ request: HTTPRequestHead, name: String, domainOnly: Bool = false, using hashType: HashType = .default) -> UInt32? {
        headerKey(request, name: name, domainOnly: domainOnly).map { hashType.hash($0) }
    }

    static func uriKey(_ request: HTTPRequestHead, whole: Bool, length: Int?, depth: Int?, pathOnly: Bool) -> ArraySlice<UInt8> {
        var uri = Array((pathOnly ? request.pathWithQuery.map(String.init) ?? "" : request.target).utf8)[...]
        if let length, length > 0 { uri = uri.prefix(length) }
        var slashes = 0
        for index in uri.indices {
            if uri[index] == UInt8(ascii: "/") {
                slashes += 1
                // `depth N` keeps N directories: it stops at the slash that would start the next.
                if let depth, depth > 0, slashes == depth + 1 { return uri[..<index] }
            } else if uri[index] == UInt8(ascii: "?"), !whole {
                return uri[..<index]
            }
        }
        return uri
    }

    static func urlParameterKey(_ request: HTTPRequestHead, name: String) -> ArraySlice<UInt8>? {
        let target = Array(request.target.utf8)
        guard let question = target.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        let wanted = Array(name.utf8)
        var position = question + 1
        while target.count - position > wanted.count {
            let equal = position + wanted.count
            if target[equal] == UInt8(ascii: "="), target[position..<equal].elementsEqual(wanted) {
                let end = target[(equal + 1)...].firstIndex(of: UInt8(ascii: "&")) ?? target.count
                return target[(equal + 1)..<end]
            }
            guard let ampersand = target[position...].firstIndex(of: UInt8(ascii: "&")) else { return nil }
            position = ampersand + 1
        }
        return nil
    }

    static func headerKey(_ request: HTTPRequestHead, name: String, domainOnly: Bool) -> ArraySlice<UInt8>? {
        guard let value = request.headers.firstOccurrence(name), !value.isEmpty else { return nil }
        let bytes = Array(value.utf8)
        guard domainOnly, let lastDot = bytes.lastIndex(of: UInt8(ascii: ".")) else { return bytes[...] }
        let start = bytes[..<lastDot].lastIndex(of: UInt8(ascii: ".")).map { $0 + 1 } ?? 0
        return bytes[start..<lastDot]
    }
}
