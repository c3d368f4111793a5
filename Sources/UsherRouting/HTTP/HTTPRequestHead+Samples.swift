/// The parts of a request line HAProxy's HTTP sample fetches return, with HAProxy's rules for what
/// has no value.
extension HTTPRequestHead {
    /// `pathq`: the target from the first `/` of the path, query included. `nil` for `*`, for the
    /// authority form (`CONNECT h:443`) and for an absolute target with nothing after its authority
    /// (`http://h`); an absolute target whose path is empty but has a query (`http://h?q`) gives
    /// `?q`.
    var pathWithQuery: Substring? {
        let target = self.target[...]
        if target.first == "/" { return target }
        guard let afterScheme = Self.afterScheme(target),
            let start = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" })
        else { return nil }
        return afterScheme[start...]
    }

    /// `path`: ``pathWithQuery`` up to the `?`; `nil` where that is `nil`.
    var pathOnly: Substring? {
        guard let pathWithQuery else { return nil }
        return pathWithQuery[..<(pathWithQuery.firstIndex(of: "?") ?? pathWithQuery.endIndex)]
    }

    /// `query`: what follows the first `?` of the target, possibly empty; `nil` without a `?`.
    var queryString: Substring? {
        guard let question = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: question)...]
    }

    /// `base` (or `baseq` with `withQuery`): the first `Host` value followed by the path when it
    /// starts with `/`; without a (non-empty) `Host`, the path alone, which may have no value.
    func base(withQuery: Bool) -> String? {
        let path = withQuery ? pathWithQuery : pathOnly
        guard let host = headers.firstOccurrence("Host"), !host.isEmpty else { return path.map(String.init) }
        guard let path, path.first == "/" else { return host }
        return host + path
    }

    /// `url_param(NAME,DELIM)`: the values of the parameters named `name` (of every parameter when
    /// `name` is `nil`), in order. Parameters start after the first `delimiter` (`?` by default) of
    /// the target and are separated by `&`, `;` or the delimiter; a parameter counts only with an
    /// `=`; the value is not URL-decoded.
    func urlParameters(named name: String?, delimiter: UInt8 = UInt8(ascii: "?")) -> [String] {
        let bytes = Array(target.utf8)
        guard let listStart = bytes.firstIndex(of: delimiter) else { return [] }
        let isDelimiter = { (byte: UInt8) in byte == UInt8(ascii: "&") || byte == UInt8(ascii: ";") || byte == delimiter }
        var result: [String] = []
        var position = listStart + 1
        let wanted = name.map { Array($0.utf8) }
        while position < bytes.count {
            var valueStart: Int? = nil
            if let wanted {
                let equal = position + wanted.count
                if equal < bytes.count, bytes[equal] == UInt8(ascii: "="), bytes[position..<equal].elementsEqual(wanted) {
                    valueStart = equal + 1
                }
            } else if let equal = bytes[position...].firstIndex(of: UInt8(ascii: "=")) {
                // Without a name, HAProxy takes whatever follows the next `=`, even past delimiters.
                valueStart = equal + 1
            }
            if let valueStart {
                var end = valueStart
                while end < bytes.count, !isDelimiter(bytes[end]) { end += 1 }
                result.append(String(decoding: bytes[valueStart..<end], as: UTF8.self))
                position = end + 1
                continue
            }
            if name == nil { break }
            while position < bytes.count, !isDelimiter(bytes[position]) { position += 1 }
            position += 1
        }
        return result
    }
}

extension HTTPHeaders {
    /// The first comma-separated value of the first field named `name`, as HAProxy's header lookups
    /// return it.
    func firstOccurrence(_ name: String) -> String? {
        guard let value = self[first: name] else { return nil }
        var first: String? = nil
        Self.forEachListElement(value) { element in
            if first == nil { first = element }
        }
        return first
    }
}
