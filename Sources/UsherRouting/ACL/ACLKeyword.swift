/// How the criterion of an ACL names its fetch and match method, as HAProxy reads it: first its ACL
/// keywords that differ from the sample fetch of the same name (`hdr` reads the request even in
/// response rules), then any fetch name, then a fetch or ACL keyword with a match suffix (`hdr_beg`
/// is `req.hdr` matched with `beg`, `path_dir` is `path` matched with `dir`).
enum ACLKeyword {
    /// ACL keywords that stand for another fetch.
    static let aliases: [String: String] = [
        "hdr": "req.hdr", "shdr": "res.hdr", "cook": "req.cook", "scook": "res.cook", "req_ver": "req.ver", "resp_ver": "res.ver",
    ]

    /// The fetch `name` reads and the match method its suffix selects, if any. A name that is
    /// nothing known comes back as is, for the fetch lookup to report.
    static func resolve(_ name: String) -> (fetch: String, method: MatchMethod?) {
        if let alias = aliases[name] { return (alias, nil) }
        if SampleFetch.byName[name] != nil { return (name, nil) }
        for (suffix, method) in MatchMethod.suffixes where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let alias = aliases[base] { return (alias, method) }
            if SampleFetch.byName[base] != nil { return (base, method) }
        }
        return (name, nil)
    }
}
