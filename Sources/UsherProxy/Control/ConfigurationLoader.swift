import Foundation
import UsherConfig
import UsherRouting

/// Reads configuration files and directories from disk and compiles them into a routing table.
public struct ConfigurationLoader: Sendable {
    public struct Result: Sendable {
        public var table: RoutingTable?
        public var diagnostics: [Diagnostic]

        public var alerts: [Diagnostic] { diagnostics.filter { $0.severity == .alert } }
        public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    }

    public var environment: [String: String]
    /// `-L NAME`: this instance's name in `peers` sections (else `localpeer`, else the host name).
    public var localPeerName: String?
    /// The stick tables of the configuration in force, when loading for a reload in place: a
    /// table declared the same way keeps its entries.
    public var previousStickTables: StickTableSet?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads `paths` in order; a directory contributes its `*.cfg` files in lexical order.
    public func load(paths: [String]) -> Result {
        var sources: [ConfigurationParser.Source] = []
        var diagnostics: [Diagnostic] = []
        let files = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: path, isDirectory: &isDirectory) else {
                diagnostics.append(.alert(nil, "Cannot open configuration file/directory \(path) : No such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                let names = ((try? files.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".cfg") }.sorted()
                for name in names {
                    let full = (path as NSString).appendingPathComponent(name)
                    if let source = read(full, into: &diagnostics) { sources.append(source) }
                }
            } else if let source = read(path, into: &diagnostics) {
                sources.append(source)
            }
        }
        if sources.isEmpty && diagnostics.isEmpty {
            diagnostics.append(.alert(nil, "no configuration file given (use -f FILE)"))
        }
        guard diagnostics.isEmpty else { return Result(table: nil, diagnostics: diagnostics) }
        return compile(sources)
    }

    /// The host name, HAProxy's default peer name.
    static func hostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Parses and compiles configuration text already in memory.
    public func compile(_ sources: [ConfigurationParser.Source]) -> Result {
        var parser = ConfigurationParser(environment: environment)
        parser.commandLinePeerName = localPeerName
        parser.hostName = Self.hostName()
        let parsed = parser.parse(sources)
        // Rules are compiled even when parsing failed, so that one run reports every problem.
        let compiled = RoutingTable.compile(parsed.parsed, keepingStickTables: previousStickTables) { file in
            let text = try String(contentsOfFile: file, encoding: .utf8)
            // Every line, blank ones included, so that errors give the file's line numbers (split on
            // the byte: "\r\n" is one Character).
            return text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        }
        var diagnostics = parsed.diagnostics + compiled.diagnostics.filter { !parsed.diagnostics.contains($0) }
        let tlsProblems = parsed.configuration.map(Self.serverTLSProblems) ?? []
        diagnostics += tlsProblems
        var table = parsed.configuration == nil || !tlsProblems.isEmpty ? nil : compiled.table
        if let configuration = parsed.configuration, !checkCertificates(configuration, into: &diagnostics) { table = nil }
        if table != nil, let configuration = parsed.configuration, !checkServerAddresses(configuration, into: &diagnostics) { table = nil }
        return Result(table: table, diagnostics: diagnostics)
    }

    /// Resolves every server's name as it will be at start (`init-addr`, `libc` by default), as
    /// HAProxy does when it reads its configuration: a name the system cannot resolve, without
    /// `init-addr none` or an IP to fall back on, is an error at the server's line. Returns false
    /// when one is.
    private func checkServerAddresses(_ configuration: Configuration, into diagnostics: inout [Diagnostic]) -> Bool {
        var valid = true
        for proxy in configuration.backends where !proxy.isDisabled {
            for server in proxy.servers {
                do {
                    _ = try ServerAddressBook.initialAddress(of: server)
                } catch {
                    diagnostics.append(.alert(server.location, "'server \(proxy.name)/\(server.name)': could not resolve address '\(server.address.host ?? "")'"))
                    valid = false
                }
            }
        }
        return valid
    }

    /// Loads every `crt` and `crt-list` of the TLS binds, as HAProxy does when it reads its
    /// configuration (a bind with certificates but without `ssl` included): a missing file, a key
    /// that does not match its certificate, a bad crt-list line is an error at the bind's line.
    /// Returns false when one is.
    private func checkCertificates(_ configuration: Configuration, into diagnostics: inout [Diagnostic]) -> Bool {
        var valid = true
        for proxy in configuration.frontends where !proxy.isDisabled {
            for bind in proxy.binds where !bind.tls.certificates.isEmpty {
                do {
                    // In mode tcp the decrypted stream goes to the server as it is: it may be h2.
                    let termination = try BindTermination(
                        bind: bind, global: configuration.global.tls, helloParser: ClientHelloParser())
                    diagnostics += termination.warnings.map { .warning(bind.location, $0) }
                } catch {
                    diagnostics.append(.alert(bind.location, "\(proxy.kind.rawValue) '\(proxy.name)': \(error)"))
                    valid = false
                }
            }
        }
        return valid
    }

    private func read(_ path: String, into diagnostics: inout [Diagnostic]) -> ConfigurationParser.Source? {
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.append(.alert(nil, "Cannot open configuration file \(path) : permission denied or unreadable"))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            diagnostics.append(.alert(nil, "configuration file \(path) is not valid UTF-8"))
            return nil
        }
        return ConfigurationParser.Source(name: path, text: text)
    }
}
