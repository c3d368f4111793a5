/// Reads `crt-list` files: one certificate per line, `PATH [OPTION …] [[!]FILTER …]`.
///
/// The syntax is HAProxy's, which is not the configuration file's: words are separated by white
/// space and by the brackets themselves (`a.pem[alpn h2]www.example.com` is three parts), there is
/// no quoting or escaping, and `#` starts a comment only in the first column; anywhere else it is
/// an ordinary word (HAProxy takes `a.pem # old` as two SNI filters, and so does usher). Blank
/// lines are skipped. A line HAProxy reports as malformed — options after a filter, a bracket left
/// open — is an error here: what HAProxy then serves is not what the line says.
public struct CertificateListParser: Sendable {
    /// The largest crt-list read: far more than the thousands of lines of a big shared host.
    public static let sizeLimit = 16 << 20

    public var fileReader: ConfigurationFileReader

    public init(fileReader: ConfigurationFileReader = .system) {
        self.fileReader = fileReader
    }

    /// Reads and parses the crt-list at `path`.
    ///
    /// `path` itself is used as given (relative to the current directory): HAProxy 2.6 applies
    /// `crt-base` to the certificates a list names, not to the list. Relative certificate paths
    /// are resolved against `crtBase` when there is one.
    public func parse(file path: String, crtBase: String?) throws(CertificateListError) -> CertificateList {
        let bytes: [UInt8]
        do {
            bytes = try fileReader.read(path, Self.sizeLimit)
        } catch {
            throw CertificateListError(location: nil, message: "cannot read crt-list '\(path)': \(error.reason)")
        }
        guard bytes.count <= Self.sizeLimit else {
            throw CertificateListError(location: nil, message: "crt-list '\(path)' is larger than \(Self.sizeLimit >> 20) MiB")
        }
        return try parse(String(decoding: bytes, as: UTF8.self), file: path, crtBase: crtBase)
    }

    /// Parses the text of a crt-list; `file` names it in errors and locations.
    public func parse(_ text: String, file: String, crtBase: String?) throws(CertificateListError) -> CertificateList {
        var entries: [CertificateList.Entry] = []
        var lineNumber = 0
        // Bytes, not Characters: Swift joins "\r\n" into one Character, which would hide the line break.
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let location = SourceLocation(file: file, line: lineNumber)
            if line.first == UInt8(ascii: "#") { continue }
            do {
                guard let entry = try Self.entry(line, location: location, crtBase: crtBase) else { continue }
                entries.append(entry)
            } catch {
                throw CertificateListError(location: location, message: error.message)
            }
        }
        return CertificateList(path: file, entries: entries)
    }

    /// One line's entry, or `nil` for a blank line.
    static func entry(
        _ line: Substring.UTF8View, location: SourceLocation, crtBase: String?
    ) throws(ConfigurationError) -> CertificateList.Entry? {
        let split = try LineWords(line)
        guard let path = split.words.first else { return nil }
        var filterStart = 1
        var options: [CertificateList.Option] = []
        if let (open, close) = split.brackets {
            guard open == 1 else {
                throw ConfigurationError("SNI filters must come after the bracketed options: the line's form is 'PATH [OPTION …] FILTER …'")
            }
            options = try Self.options(split.words[open..<close])
            filterStart = close
        }
        return CertificateList.Entry(
            certificatePath: resolve(path, against: crtBase),
            options: options,
            sniFilters: Array(split.words[filterStart...]),
            location: location
        )
    }

    /// The bracketed words as options, each name checked and given its value.
    static func options(_ words: ArraySlice<String>) throws(ConfigurationError) -> [CertificateList.Option] {
        var options: [CertificateList.Option] = []
        var index = words.startIndex
        while index < words.endIndex {
            let name = words[index]
            guard let takesValue = CertificateList.Option.takesValue[name] else {
                let hint = NearestMatch.find(name, in: CertificateList.Option.takesValue.keys).map { "; did you mean '\($0)'?" } ?? ""
                let known = CertificateList.Option.takesValue.keys.sorted().joined(separator: ", ")
                throw ConfigurationError("unknown crt-list option '\(name)'\(hint) (a crt-list line accepts: \(known))")
            }
            index += 1
            guard takesValue else {
                options.append(CertificateList.Option(name: name))
                continue
            }
            guard index < words.endIndex else {
                throw ConfigurationError("crt-list option '\(name)' needs a value inside the brackets")
            }
            options.append(CertificateList.Option(name: name, value: words[index]))
            index += 1
        }
        return options
    }

    /// `path` under `crtBase` when it is relative; absolute paths, and any path without a base, as given.
    public static func resolve(_ path: String, against crtBase: String?) -> String {
        guard let crtBase, !crtBase.isEmpty, !path.hasPrefix("/") else { return path }
        return crtBase.hasSuffix("/") ? crtBase + path : crtBase + "/" + path
    }
}

/// A crt-list line cut into words, with where its one pair of brackets falls.
private struct LineWords {
    var words: [String] = []
    /// The index in `words` of the first option and of the first word after `]`.
    var brackets: (open: Int, close: Int)?

    init(_ line: Substring.UTF8View) throws(ConfigurationError) {
        var wordStart: String.Index?
        var open: Int?
        var close: Int?
        for index in line.indices {
            let byte = line[index]
            // White space as C's isspace (space, \t \n \v \f \r): a CRLF line's "\r" separates too.
            let isSpace = byte == 0x20 || (0x09...0x0D).contains(byte)
            guard isSpace || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") else {
                if wordStart == nil { wordStart = index }
                continue
            }
            if let start = wordStart {
                words.append(String(decoding: line[start..<index], as: UTF8.self))
                wordStart = nil
            }
            if byte == UInt8(ascii: "[") {
                guard open == nil else { throw ConfigurationError("a crt-list line takes one '[' … ']' group of options; found a second '['") }
                guard !words.isEmpty else { throw ConfigurationError("a crt-list line starts with the certificate's path, before '['") }
                open = words.count
            } else if byte == UInt8(ascii: "]") {
                guard open != nil else { throw ConfigurationError("']' without '[' before it") }
                guard close == nil else { throw ConfigurationError("a crt-list line takes one '[' … ']' group of options; found a second ']'") }
                close = words.count
            }
        }
        if let start = wordStart { words.append(String(decoding: line[start...], as: UTF8.self)) }
        if let open {
            guard let close else { throw ConfigurationError("'[' is not closed: the options end with ']'") }
            brackets = (open, close)
        }
    }
}
