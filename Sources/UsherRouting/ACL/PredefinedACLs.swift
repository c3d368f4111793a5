import UsherConfig

/// The ACLs every proxy has without declaring them (`TRUE`, `LOCALHOST`, `METH_GET`…), as HAProxy
/// defines them (its section 7.4). `RDP_COOKIE` is the one usher lacks.
enum PredefinedACLs {
    /// Each ACL's criterion and values, as they would be written after `acl NAME`.
    static let definitions: [String: (criterion: String, values: [String])] = [
        "TRUE": ("always_true", []),
        "FALSE": ("always_false", []),
        "LOCALHOST": ("src", ["127.0.0.1/8", "::1"]),
        "REQ_CONTENT": ("req.len", ["gt", "0"]),
        "WAIT_END": ("wait_end", []),
        "HTTP": ("req.proto_http", []),
        "HTTP_1.0": ("req.ver", ["1.0"]),
        "HTTP_1.1": ("req.ver", ["1.1"]),
        "HTTP_2.0": ("req.ver", ["2.0"]),
        "HTTP_CONTENT": ("req.hdr_val(content-length)", ["gt", "0"]),
        "HTTP_URL_ABS": ("url_reg", ["^[^/:]*://"]),
        "HTTP_URL_SLASH": ("url_beg", ["/"]),
        "HTTP_URL_STAR": ("url", ["*"]),
        "METH_CONNECT": ("method", ["CONNECT"]),
        "METH_DELETE": ("method", ["DELETE"]),
        "METH_GET": ("method", ["GET", "HEAD"]),
        "METH_HEAD": ("method", ["HEAD"]),
        "METH_OPTIONS": ("method", ["OPTIONS"]),
        "METH_POST": ("method", ["POST"]),
        "METH_PUT": ("method", ["PUT"]),
        "METH_TRACE": ("method", ["TRACE"]),
    ]

    /// The compiled predefined ACLs usher supports.
    static func compiled() -> [String: [CompiledACL]] {
        var result: [String: [CompiledACL]] = [:]
        let location = SourceLocation(file: "<predefined>", line: 0)
        for (name, definition) in definitions {
            guard case .success(let criterion) = SampleExpression.parse(definition.criterion) else { continue }
            let acl = ACLDefinition(name: name, criterion: criterion, values: definition.values, location: location)
            if let compiled = try? CompiledACL(acl, loadPatternFile: { _ in [] }) {
                result[name] = [compiled]
            }
        }
        return result
    }
}
