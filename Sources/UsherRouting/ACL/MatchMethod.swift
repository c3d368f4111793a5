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

    /// Suffixed fetch names such as `hdr_beg` or `path_reg` select the method by their suffix.
    static let suffixes: [String: MatchMethod] = [
        "_beg": .beginning, "_end": .end, "_sub": .substring, "_reg": .regex, "_dom": .domain, "_dir": .directory,
        "_len": .length, "_found": .found, "_str": .string, "_bin": .binary, "_cnt": .integer, "_ip": .ip, "_int": .integer,
    ]
}
