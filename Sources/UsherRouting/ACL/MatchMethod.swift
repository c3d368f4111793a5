/// How an ACL compares a sample with its patterns (`-m METHOD`, or the fetch's default).
public enum MatchMethod: String, Sendable, Equatable {
    case found
    case boolean = "bool"
    case integer = "int"
    case ip
    case binary = "bin"
    case length = "len"
    case string = "str"
    case substring = "sub"
    case regex = "reg"
    case beginning = "beg"
    case end
    case directory = "dir"
    case domain = "dom"
    /// The `method` fetch's own matching, which no `-m` selects: a pattern naming a method HAProxy
    /// knows (`GET`, `POST`…) matches it exactly; another matches an unknown method, with `-i`
    /// without regard to case.
    case method = "meth"

    /// The methods HAProxy recognises; the case of their names matters.
    static let knownHTTPMethods: Set<String> = ["GET", "HEAD", "POST", "CONNECT", "PUT", "OPTIONS", "DELETE", "TRACE"]

    /// Suffixed fetch names such as `hdr_beg` or `path_reg` select the method by their suffix.
    static let suffixes: [String: MatchMethod] = [
        "_beg": .beginning, "_end": .end, "_sub": .substring, "_reg": .regex, "_dom": .domain, "_dir": .directory,
        "_len": .length, "_found": .found, "_str": .string, "_bin": .binary, "_cnt": .integer, "_ip": .ip, "_int": .integer,
    ]
}
