/// An ACL as written: `acl NAME CRITERION [FLAGS] [OPERATOR] [VALUE]…`, or the body of an anonymous
/// `{ … }` ACL. UsherRouting compiles it into a matcher.
public struct ACLDefinition: Sendable, Equatable {
    /// `nil` for an anonymous ACL.
    public var name: String?
    public var criterion: SampleExpression
    /// `-i`
    public var ignoreCase: Bool
    /// `-m METHOD`
    public var matchMethod: String?
    /// `-f FILE`: patterns loaded from these files, one per line.
    public var patternFiles: [String]
    /// `-M`: the `-f` files are maps (`KEY VALUE` lines), whose keys are the patterns.
    public var readsFilesAsMaps: Bool = false
    /// The values (patterns) after the flags, as written.
    public var values: [String]
    public var location: SourceLocation

    public init(
        name: String?, criterion: SampleExpression, ignoreCase: Bool = false, matchMethod: String? = nil,
        patternFiles: [String] = [], values: [String] = [], location: SourceLocation
    ) {
        self.name = name
        self.criterion = criterion
        self.ignoreCase = ignoreCase
        self.matchMethod = matchMethod
        self.patternFiles = patternFiles
        self.values = values
        self.location = location
    }

    /// Parses the words after `acl NAME` (or inside `{ }`): criterion, flags, values.
    static func parse(name: String?, words: ArraySlice<String>, location: SourceLocation) -> Result<ACLDefinition, Address.ParseError> {
        guard let first = words.first else {
            return .failure(.init(message: "missing fetch method in ACL"))
        }
        let criterion: SampleExpression
        switch SampleExpression.parse(first, allowsTrailingComma: true) {
        case .success(let expression): criterion = expression
        case .failure(let error): return .failure(error)
        }
        var acl = ACLDefinition(name: name, criterion: criterion, location: location)
        var rest = words.dropFirst()
        flags: while let word = rest.first, word.hasPrefix("-"), word.count > 1 {
            rest = rest.dropFirst()
            switch word {
            case "-i": acl.ignoreCase = true
            case "-n", "-u": break
            case "--": break flags
            case "-m":
                guard let method = rest.first else { return .failure(.init(message: "'-m' expects a match method")) }
                acl.matchMethod = method
                rest = rest.dropFirst()
            case "-f":
                guard let file = rest.first else { return .failure(.init(message: "'-f' expects a file name")) }
                acl.patternFiles.append(file)
                rest = rest.dropFirst()
            case "-M": acl.readsFilesAsMaps = true
            default:
                return .failure(.init(message: "unknown ACL flag '\(word)' (expected -i, -m, -f, -M, -n, -u or --)"))
            }
        }
        acl.values = Array(rest)
        return .success(acl)
    }
}
