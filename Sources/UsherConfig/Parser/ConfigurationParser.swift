/// Reads configuration files into a `Configuration`, collecting every problem with its file and line
/// rather than stopping at the first.
public struct ConfigurationParser: Sendable {
    /// One file's name (as shown in messages) and text.
    public struct Source: Sendable {
        public var name: String
        public var text: String

        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// What parsing produced. `configuration` is `nil` when any alert was raised; `parsed` is what
    /// could be read anyway, so later checks can still report their own problems.
    public struct Outcome: Sendable {
        public var configuration: Configuration?
        public var parsed: Configuration
        public var diagnostics: [Diagnostic]

        public var alerts: [Diagnostic] { diagnostics.filter { $0.severity == .alert } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    }

    public var environment: [String: String]
    /// Reads the files the configuration names (`errorfile`, `http-request return file`).
    public var fileReader: ConfigurationFileReader
    /// `-L NAME`: this instance's peer name, before `localpeer`.
    public var commandLinePeerName: String?
    /// The host name, this instance's peer name when neither `-L` nor `localpeer` gives one.
    public var hostName: String?

    public init(environment: [String: String] = [:], fileReader: ConfigurationFileReader = .system) {
        self.environment = environment
        self.fileReader = fileReader
    }

    public func parse(_ text: String, file: String = "usher.cfg") -> Outcome {
        parse([Source(name: file, text: text)])
    }

    /// Parses the files in order, as one configuration: a section may not span files, but later files
    /// see the earlier files' `defaults`.
    public func parse(_ sources: [Source]) -> Outcome {
        var state = ParserState(fileReader: fileReader)
        let lexer = ConfigurationLexer(environment: environment)
        for source in sources {
            let (lines, lexDiagnostics) = lexer.lex(source.text, file: source.name)
            state.diagnostics += lexDiagnostics
            for line in lines {
                state.handle(line)
            }
            state.finishSection()
        }
        state.addImplicitDefaultResolvers()
        state.applyErrorFileImports()
        var configuration = Configuration(global: state.global, proxies: state.proxies, resolvers: state.resolvers)
        configuration.peers = state.peersSections
        configuration.localPeerName = commandLinePeerName ?? state.global.localPeer ?? hostName
        configuration.userlists = state.userlists
        state.diagnostics += ConfigurationChecks.run(&configuration)
        let failed = state.diagnostics.contains { $0.severity == .alert }
        return Outcome(configuration: failed ? nil : configuration, parsed: configuration, diagnostics: state.diagnostics)
    }
}

/// The parser's progress through the files.
struct ParserState {
    enum Section {
        case none
        case global
        case proxy(ProxyBuilder)
        case peers(PeersSection)
        case resolvers(Resolvers)
        case userlist(Userlist)
        /// A section read and dropped (a repeated `userlist`, which HAProxy ignores with a warning).
        case ignored
        /// A section HAProxy has and usher does not: its lines are skipped (one error was raised).
        case unsupported
        /// An `http-errors` section: its `errorfile` lines, read as a proxy's are.
        case httpErrors(name: String, location: SourceLocation, builder: ProxyBuilder)
    }

    var section = Section.none
    let fileReader: ConfigurationFileReader
    var global = GlobalSettings()
    var proxies: [Proxy] = []
    var peersSections: [PeersSection] = []
    /// `http-errors` sections by name: their error files, and where each section starts.
    var httpErrorsSections: [String: (files: [Int: ErrorFile], location: SourceLocation)] = [:]
    var resolvers: [Resolvers] = []
    var userlists: [Userlist] = []
    var diagnostics: [Diagnostic] = []
    /// The last unnamed or named `defaults` section, which new proxies copy.
    var currentDefaults = ProxySettings()
    var namedDefaults: [String: ProxySettings] = [:]

    static let sectionKeywords: Set<String> = ["global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "http-errors", "userlist"]

    init(fileReader: ConfigurationFileReader) {
        self.fileReader = fileReader
    }

    mutating func handle(_ line: ConfigurationLine) {
        let notes = ValueNotes()
        ConfigurationValues.$notes.withValue(notes) { dispatch(line) }
        for note in notes.all {
            diagnostics.append(.warning(line.location, note))
        }
    }

    private mutating func dispatch(_ line: ConfigurationLine) {
        let keyword = line.keyword
        if Self.sectionKeywords.contains(keyword) {
            finishSection()
            startSection(line)
            return
        }
        if HAProxyKeywords.sections.contains(keyword) {
            finishSection()
            diagnostics.append(.alert(line.location, "section '\(keyword)' is a valid HAProxy section but is not supported by usher yet"))
            section = .unsupported
            return
        }
        do {
            switch section {
            case .none:
                let hint = NearestMatch.find(keyword, in: Self.sectionKeywords).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigurationError("unknown keyword '\(keyword)' out of section (expected a section such as 'global', 'defaults', 'frontend', 'backend' or 'listen')\(hint)")
            case .global:
                if let warning = try GlobalKeywords.handle(line, into: &global) {
                    diagnostics.append(.warning(line.location, warning))
                }
            case .proxy(var builder):
                section = .none
                defer { section = .proxy(builder) }
                do {
                    try ProxyKeywords.handle(line, into: &builder)
                } catch {
                    // Remember what was refused, so that its uses do not repeat the alert.
                    if keyword == "acl", line.words.count >= 2 { builder.proxy.refusedACLNames.insert(line.words[1]) }
                    if keyword == "bind" { builder.proxy.hasRefusedBind = true }
                    throw error
                }
            case .peers(var peers):
                section = .none
                defer { section = .peers(peers) }
                if let warning = try PeersKeywords.handle(line, into: &peers) {
                    diagnostics.append(.warning(line.location, warning))
                }
            case .resolvers(var section):
                self.section = .none
                defer { self.section = .resolvers(section) }
                if let warning = try ResolversKeywords.handle(line, into: &section, fileReader: fileReader) {
                    diagnostics.append(.warning(line.location, warning))
                }
            case .httpErrors(let name, let location, var builder):
                section = .none
                defer { section = .httpErrors(name: name, location: location, builder: builder) }
                guard keyword == "errorfile" else {
                    throw ConfigurationError("unknown keyword '\(keyword)' in an http-errors section (it holds 'errorfile' lines)")
                }
                try ProxyKeywords.parseErrorFile(line, into: &builder)
            case .userlist(var userlist):
                section = .none
                defer { section = .userlist(userlist) }
                if let warning = try UserlistKeywords.handle(line, into: &userlist) {
                    diagnostics.append(.warning(line.location, warning))
                }
            case .unsupported, .ignored:
                return
            }
        } catch let error as ConfigurationError {
            diagnostics.append(.alert(line.location, error.message))
        } catch {
            diagnostics.append(.alert(line.location, "\(error)"))
        }
    }

    mutating func startSection(_ line: ConfigurationLine) {
        let words = line.words
        let location = line.location
        switch line.keyword {
        case "global":
            if words.count > 1 {
                diagnostics.append(.alert(location, "'global' takes no arguments"))
            }
            section = .global
        case "http-errors":
            guard words.count == 2 else {
                diagnostics.append(.alert(location, "'http-errors' expects a name (and nothing else)"))
                section = .unsupported
                return
            }
            if let existing = httpErrorsSections[words[1]] {
                diagnostics.append(.alert(location, "http-errors section '\(words[1])' is already declared at \(existing.location)"))
            }
            section = .httpErrors(name: words[1], location: location, builder: prepared(ProxyBuilder(defaults: ProxySettings(), name: words[1], kind: .backend, location: location)))
        case "peers":
            guard words.count == 2 else {
                diagnostics.append(.alert(location, "'peers' expects a name (and nothing else)"))
                section = .unsupported
                return
            }
            let name = words[1]
            if let problem = Self.nameProblem(name) {
                diagnostics.append(.alert(location, "peers section name '\(name)' \(problem)"))
            }
            if let existing = peersSections.first(where: { $0.name == name }) {
                diagnostics.append(.alert(location, "peers section '\(name)' is already declared at \(existing.location)"))
            }
            section = .peers(PeersSection(name: name, location: location))
        case "defaults":
            var name = ""
            var base = ProxySettings()
            var rest = words.dropFirst()
            if let first = rest.first, first != "from" {
                name = first
                rest = rest.dropFirst()
            }
            if rest.first == "from" {
                guard let parent = rest.dropFirst().first else {
                    diagnostics.append(.alert(location, "'from' expects the name of a defaults section"))
                    section = .unsupported
                    return
                }
                guard let settings = namedDefaults[parent] else {
                    diagnostics.append(.alert(location, "defaults section '\(parent)' named after 'from' was not declared before"))
                    section = .unsupported
                    return
                }
                base = settings
                rest = rest.dropFirst(2)
            }
            if !rest.isEmpty {
                diagnostics.append(.alert(location, "unexpected '\(rest.joined(separator: " "))' after 'defaults \(name)'"))
            }
            section = .proxy(prepared(ProxyBuilder(defaultsNamed: name, inheriting: base, location: location)))
        case "userlist":
            guard words.count == 2, !words[1].isEmpty else {
                diagnostics.append(.alert(location, "'userlist' expects one name"))
                section = .unsupported
                return
            }
            if let existing = userlists.first(where: { $0.name == words[1] }) {
                // As HAProxy: the first section of a name is the one used.
                diagnostics.append(.warning(location, "ignoring duplicated userlist '\(words[1])' (first declared at \(existing.location))"))
                section = .ignored
                return
            }
            section = .userlist(Userlist(name: words[1], location: location))
        case "resolvers":
            guard words.count == 2, !words[1].isEmpty else {
                diagnostics.append(.alert(location, "'resolvers' expects one name"))
                section = .unsupported
                return
            }
            if let problem = Self.nameProblem(words[1]) {
                diagnostics.append(.alert(location, "resolvers name '\(words[1])' \(problem)"))
            }
            if let existing = resolvers.first(where: { $0.name == words[1] }) {
                diagnostics.append(.alert(location, "resolvers '\(words[1])' has the same name as another resolvers section (declared at \(existing.location))"))
            }
            section = .resolvers(Resolvers(name: words[1], location: location))
        default:
            let kind = ProxyKind(rawValue: line.keyword)!
            guard words.count >= 2 else {
                diagnostics.append(.alert(location, "'\(kind.rawValue)' expects a name"))
                section = .unsupported
                return
            }
            let name = words[1]
            if let problem = Self.nameProblem(name) {
                diagnostics.append(.alert(location, "\(kind.rawValue) name '\(name)' \(problem)"))
            }
            if let existing = proxies.first(where: { $0.name == name && Self.conflicts($0.kind, kind) }) {
                diagnostics.append(.alert(location, "\(kind.rawValue) '\(name)' has the same name as \(existing.kind.rawValue) '\(name)' declared at \(existing.location)"))
            }
            var settings = currentDefaults
            var rest = words.dropFirst(2)
            var legacyAddresses: String? = nil
            if let first = rest.first, first != "from" {
                legacyAddresses = first
                rest = rest.dropFirst()
            }
            if rest.first == "from" {
                guard let parent = rest.dropFirst().first, let named = namedDefaults[parent] else {
                    diagnostics.append(.alert(location, "'from' expects the name of a defaults section declared before"))
                    section = .unsupported
                    return
                }
                settings = named
                rest = rest.dropFirst(2)
            }
            if !rest.isEmpty {
                diagnostics.append(.alert(location, "unexpected '\(rest.joined(separator: " "))' after '\(kind.rawValue) \(name)'"))
            }
            var builder = prepared(ProxyBuilder(defaults: settings, name: name, kind: kind, location: location))
            if let legacyAddresses {
                if kind == .backend {
                    diagnostics.append(.alert(location, "a backend has no address; '\(legacyAddresses)' after 'backend \(name)' is not allowed"))
                } else {
                    do {
                        try ProxyKeywords.addBind(["bind", legacyAddresses], at: location, into: &builder)
                        builder.warn(
                            location,
                            "'\(kind.rawValue) \(name) \(legacyAddresses)' is HAProxy 1.x syntax, which HAProxy 2.x refuses; usher accepts it. Write instead:\n    \(kind.rawValue) \(name)\n        bind \(legacyAddresses.split(separator: ",").joined(separator: ","))"
                        )
                    } catch let error as ConfigurationError {
                        diagnostics.append(.alert(location, error.message))
                    } catch {}
                }
            }
            section = .proxy(builder)
        }
    }

    /// What a proxy section needs from the parser and the global section.
    func prepared(_ builder: ProxyBuilder) -> ProxyBuilder {
        var builder = builder
        builder.fileReader = fileReader
        builder.bufferSize = global.bufferSize ?? builder.bufferSize
        return builder
    }

    /// HAProxy has a `resolvers default` section of its own, made from /etc/resolv.conf, unless the
    /// file declares one: servers may name it without declaring it. usher makes it only when a
    /// server names it (no name server is asked otherwise).
    mutating func addImplicitDefaultResolvers() {
        guard !resolvers.contains(where: { $0.name == "default" }) else { return }
        let users = proxies.flatMap(\.servers).filter { $0.options.resolvers == "default" }
        guard let first = users.first else { return }
        var section = Resolvers(name: "default", location: first.location)
        let line = ConfigurationLine(words: ["parse-resolv-conf"], location: first.location)
        do {
            _ = try ResolversKeywords.handle(line, into: &section, fileReader: fileReader)
        } catch let error as ConfigurationError {
            diagnostics.append(.alert(first.location, "resolvers 'default' (made from /etc/resolv.conf, as HAProxy makes it): \(error.message)"))
            return
        } catch {
            return
        }
        if section.nameservers.isEmpty {
            diagnostics.append(.alert(first.location, "resolvers 'default' (made from /etc/resolv.conf, as HAProxy makes it) has no name server: /etc/resolv.conf names none usher can use"))
            return
        }
        resolvers.append(section)
    }

    /// `errorfiles` imports, once every `http-errors` section is known: each replaces the error
    /// files declared before it (in the same file), as HAProxy applies them in order.
    mutating func applyErrorFileImports() {
        for index in proxies.indices {
            let proxy = proxies[index]
            for reference in proxy.settings.errorFileImports {
                guard let section = httpErrorsSections[reference.section] else {
                    diagnostics.append(.alert(reference.location, "\(proxy.kind.rawValue) '\(proxy.name)': unknown http-errors section '\(reference.section)'"))
                    continue
                }
                let statuses = reference.statuses.isEmpty ? section.files.keys.sorted() : reference.statuses
                for status in statuses {
                    guard let file = section.files[status] else {
                        diagnostics.append(.warning(reference.location, "\(proxy.kind.rawValue) '\(proxy.name)': status \(status) is not declared in http-errors section '\(reference.section)'"))
                        continue
                    }
                    if let existing = proxies[index].settings.errorFiles[status], existing.location.file == reference.location.file,
                        existing.location.line > reference.location.line
                    {
                        continue
                    }
                    proxies[index].settings.errorFiles[status] = file
                }
            }
        }
    }

    mutating func finishSection() {
        if case .httpErrors(let name, let location, let builder) = section {
            diagnostics += builder.warnings
            httpErrorsSections[name] = (builder.settings.errorFiles, location)
        }
        if case .peers(let peers) = section {
            peersSections.append(peers)
        }
        if case .userlist(let userlist) = section {
            diagnostics += UserlistKeywords.check(userlist)
            userlists.append(userlist)
        }
        if case .resolvers(let finished) = section {
            if finished.nameservers.isEmpty {
                diagnostics.append(.alert(finished.location, "resolvers '\(finished.name)' has no 'nameserver' (and no 'parse-resolv-conf' that found one)"))
            }
            resolvers.append(finished)
        }
        guard case .proxy(let builder) = section else {
            section = .none
            return
        }
        section = .none
        diagnostics += builder.warnings
        if builder.isDefaults {
            currentDefaults = builder.proxy.settings
            if !builder.proxy.name.isEmpty {
                namedDefaults[builder.proxy.name] = builder.proxy.settings
            }
        } else {
            var proxy = builder.proxy
            // The proxy's `backlog` (its own or its defaults') fills the binds that set none.
            for index in proxy.binds.indices where proxy.binds[index].backlog == nil {
                proxy.binds[index].backlog = proxy.settings.backlog
            }
            proxies.append(proxy)
        }
    }

    /// Frontends and backends may share a name; nothing else may.
    static func conflicts(_ a: ProxyKind, _ b: ProxyKind) -> Bool {
        !((a == .frontend && b == .backend) || (a == .backend && b == .frontend))
    }

    static func nameProblem(_ name: String) -> String? {
        for scalar in name.unicodeScalars {
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || scalar == "." || scalar == ":"
            if !ok { return "contains '\(scalar)'; only letters, digits, '-', '_', '.' and ':' are allowed" }
        }
        return nil
    }
}
