import UsherConfig

/// The ACLs every proxy has without declaring them (`TRUE`, `LOCALHOST`…), as HAProxy defines them.
enum PredefinedACLs {
    static let definitions: [String: (fetch: String, values: [String])] = [
        "TRUE": ("always_true", []),
        "FALSE": ("always_false", []),
        "LOCALHOST": ("src", ["127.0.0.1/8", "::1"]),
        "REQ_CONTENT": ("req.len", ["gt", "0"]),
        "WAIT_END": ("wait_end", []),
    ]

    /// The compiled predefined ACLs usher supports.
    static func compiled() -> [String: [CompiledACL]] {
        var result: [String: [CompiledACL]] = [:]
        let location = SourceLocation(file: "<predefined>", line: 0)
        for (name, definition) in definitions {
            let acl = ACLDefinition(
                name: name, criterion: SampleExpression(fetch: .init(name: definition.fetch, arguments: [])),
                values: definition.values, location: location
            )
            if let compiled = try? CompiledACL(acl, loadPatternFile: { _ in [] }) {
                result[name] = [compiled]
            }
        }
        return result
    }
}
