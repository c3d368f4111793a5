import UsherConfig

/// `set-map`, `del-map`, `add-acl`, `del-acl` ready to run: the file they change and their key (and
/// value) formats.
struct CompiledPatternFileAction: Sendable {
    let kind: PatternFileAction.Kind
    let file: PatternFile
    let key: LogFormatTemplate
    let value: LogFormatTemplate?

    init(_ action: PatternFileAction) throws(RoutingError) {
        kind = action.kind
        // An action takes the file as the converters and ACLs read it; if it is the first to
        // name it, it reads it as its own kind would (a map for set-map/del-map).
        let guess: PatternFile.Layout = action.kind == .setMap || action.kind == .deleteMap ? .map : .patterns
        file = try PatternFileScope.files(for: action.kind.rawValue).file(action.file, layout: nil, guess: guess, user: action.kind == .setMap || action.kind == .deleteMap ? .map : .acl)
        key = try LogFormatTemplate(action.key)
        value = try action.value.map { (text) throws(RoutingError) in try LogFormatTemplate(text) }
    }

    func apply(_ context: inout SampleContext) {
        let key = key.render(&context)
        switch kind {
        case .setMap:
            let value = value?.render(&context) ?? ""
            file.setOrAdd(key: key, value: value)
        case .deleteMap, .deleteACL:
            file.remove(key: key)
        case .addACL:
            file.addIfMissing(key: key)
        }
    }
}
