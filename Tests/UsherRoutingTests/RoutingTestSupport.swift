import Foundation
import NIOCore
import Testing
@testable import UsherConfig
@testable import UsherRouting

enum RoutingFixtures {
    static let location = UsherConfig.SourceLocation(file: "t.cfg", line: 1)

    /// A minimal TLS ClientHello record: `version` is the hello's client_version (0x0301 = TLS
    /// 1.0, HAProxy's "3.1"), `serverName` the SNI, if any.
    static func clientHello(serverName: String?, version: UInt16 = 0x0303, recordVersion: UInt16 = 0x0301) -> [UInt8] {
        func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        var body: [UInt8] = u16(Int(version))
        body += [UInt8](repeating: 0xAB, count: 32)  // random
        body += [0]  // session id
        body += u16(4) + [0x13, 0x01, 0xC0, 0x2F]  // cipher suites
        body += [1, 0]  // compression methods
        var extensions: [UInt8] = []
        if let serverName {
            let name = Array(serverName.utf8)
            let list: [UInt8] = [0] + u16(name.count) + name
            let data = u16(list.count) + list
            extensions += u16(0) + u16(data.count) + data
        }
        body += u16(extensions.count) + extensions
        let handshake: [UInt8] = [1, UInt8(body.count >> 16 & 0xFF)] + u16(body.count) + body
        return [0x16] + u16(Int(recordVersion)) + u16(handshake.count) + handshake
    }

    static func context(
        source: String? = "192.0.2.10", sourcePort: Int = 41830, destination: String? = "192.0.2.1", destinationPort: Int = 443,
        payload: [UInt8] = [], final: Bool = false
    ) -> SampleContext {
        SampleContext(
            connection: ConnectionInfo(
                source: source.flatMap { IPAddress($0) }, sourcePort: sourcePort,
                destination: destination.flatMap { IPAddress($0) }, destinationPort: destinationPort
            ),
            payload: ByteBuffer(bytes: payload), isFinal: final
        )
    }

    /// Compiles the words of an ACL after its name: `req_ssl_sni -i example.com`.
    static func acl(_ text: String) throws -> CompiledACL {
        let words = text.split(separator: " ").map(String.init)
        let definition = try ACLDefinition.parse(name: nil, words: words[...], location: location).get()
        return try CompiledACL(definition, loadPatternFile: { _ in [] })
    }

    /// Compiles `if …`/`unless …` with named ACLs given as `name: "fetch values"` (several
    /// definitions per name allowed), plus the predefined ones.
    static func condition(_ text: String, named: [(String, String)] = []) throws -> CompiledCondition {
        let words = text.split(separator: " ").map(String.init)
        let condition = try Condition.parse(words[...], location: location).get()
        var table = PredefinedACLs.compiled()
        for (name, definition) in named {
            table[name, default: []].append(try acl(definition))
        }
        return try CompiledCondition(condition, namedACLs: table, loadPatternFile: { _ in [] })
    }

    /// Parses and compiles a configuration that must be free of alerts.
    static func table(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> RoutingTable {
        let outcome = ConfigurationParser().parse(text, file: "t.cfg")
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)", sourceLocation: sourceLocation)
        let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
        return try #require(table, "\(diagnostics)", sourceLocation: sourceLocation)
    }

    static let seedPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../../shared/seeds/seed-haproxy.cfg")
        .standardizedFileURL.path

    static func seedTable() throws -> RoutingTable {
        let text = try String(contentsOfFile: seedPath, encoding: .utf8)
        let outcome = ConfigurationParser().parse(text, file: seedPath)
        let configuration = try #require(outcome.configuration, "\(outcome.alerts)")
        let (table, diagnostics) = RoutingTable.compile(configuration, loadPatternFile: { _ in [] })
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return try #require(table)
    }

    static let quietDefaults = """
        defaults
            timeout client 1s
            timeout server 1s
            timeout connect 1s
        """
}

extension RoutingTable {
    func frontend(_ name: String) throws -> FrontendRoutes {
        try #require(frontends.first { $0.proxy.name == name })
    }

    func backendName(_ index: Int?) -> String? {
        index.map { backends[$0].name }
    }
}
