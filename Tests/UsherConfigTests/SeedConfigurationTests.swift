import Foundation
import Testing
@testable import UsherConfig

/// The seed's own HAProxy configuration (1.x syntax included) must run unchanged.
@Suite("The seed configuration")
struct SeedConfigurationTests {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("../../../shared/seeds/seed-haproxy.cfg")
        .standardizedFileURL.path

    static func outcome() throws -> ConfigurationParser.Outcome {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return ConfigurationParser().parse(text, file: path)
    }

    @Test func seedFileIsFound() {
        #expect(FileManager.default.fileExists(atPath: Self.path), "\(Self.path)")
        #expect(Self.path.hasSuffix("shared/seeds/seed-haproxy.cfg"))
    }

    @Test func parsesWithoutAlerts() throws {
        let outcome = try Self.outcome()
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        #expect(outcome.configuration != nil)
    }

    @Test func warningsAreExactlyTheExpectedOnes() throws {
        let outcome = try Self.outcome()
        let warnings = outcome.warnings
        // HAProxy 2.6's four and the two for the 1.x frontend syntax.
        #expect(warnings.count == 6, "\(warnings.map(\.description).joined(separator: "\n"))")
        #expect(warnings.allSatisfy { $0.location?.file == Self.path })

        let legacy = warnings.filter { $0.message.contains("1.x syntax") }
        #expect(legacy.map(\.location?.line) == [25, 28])
        #expect(legacy.first?.message.contains("frontend http-in *:80") == true)
        #expect(legacy.first?.message.contains("bind *:80") == true)
        #expect(legacy.last?.message.contains("bind *:443") == true)

        let sslHello = warnings.filter { $0.message.contains("ssl-hello-chk") }
        #expect(sslHello.map(\.location?.line) == [32])
        #expect(sslHello.first?.message == "'option ssl-hello-chk' ignored because frontend 'https-in' has no backend capability")

        // One per tcp-mode proxy that inherited `option forwardfor` from defaults, frontend first,
        // then backends in file order, as HAProxy prints them.
        let forwardFor = warnings.filter { $0.message.contains("forwardfor") }
        #expect(forwardFor.map(\.location?.line) == [14, 14, 14])
        #expect(forwardFor.map(\.message) == [
            "'option forwardfor' ignored for frontend 'https-in' as it requires HTTP mode",
            "'option forwardfor' ignored for backend 'servers-ssl' as it requires HTTP mode",
            "'option forwardfor' ignored for backend 'pumpio-ssl' as it requires HTTP mode",
        ])
    }

    @Test func global() throws {
        let global = try #require(try Self.outcome().configuration?.global)
        #expect(global.logTargets.count == 1)
        #expect(global.logTargets.first?.destination == .udp(host: "127.0.0.1", port: 514))
        #expect(global.logTargets.first?.facility == .local2)
        #expect(global.chroot == "/usr/share/haproxy")
        #expect(global.pidfile == "/run/haproxy.pid")
        #expect(global.maxconn == 4000)
        #expect(global.user == "haproxy")
        #expect(global.group == "haproxy")
        #expect(global.daemon)
    }

    @Test func proxiesInFileOrder() throws {
        let configuration = try #require(try Self.outcome().configuration)
        #expect(configuration.proxies.map(\.name) == ["http-in", "https-in", "servers", "servers-ssl", "pumpio-ssl"])
        #expect(configuration.proxies.map(\.kind) == [.frontend, .frontend, .backend, .backend, .backend])
        #expect(configuration.proxies.map(\.mode) == [.http, .tcp, .http, .tcp, .tcp])
    }

    @Test func inheritedDefaults() throws {
        let configuration = try #require(try Self.outcome().configuration)
        for proxy in configuration.proxies {
            let settings = proxy.settings
            #expect(settings.usesGlobalLog == true, "\(proxy.name)")
            #expect(settings.timeouts.httpRequest == .seconds(10))
            #expect(settings.timeouts.queue == .seconds(60))
            #expect(settings.timeouts.connect == .seconds(10))
            #expect(settings.timeouts.client == .seconds(60))
            #expect(settings.timeouts.server == .seconds(60))
            #expect(settings.timeouts.httpKeepAlive == .seconds(10))
            #expect(settings.timeouts.check == .seconds(10))
            #expect(settings.maxconn == 3000)
            #expect(settings.retries == 3)
            #expect(proxy.retries == 3)
            #expect(settings.isEnabled("redispatch"), "\(proxy.name)")
            #expect(settings.isEnabled("dontlognull"))
            #expect(proxy.effectiveLogTargets(global: configuration.global).count == 1)
        }
    }

    @Test func httpFrontend() throws {
        let proxy = try Self.outcome().proxy("http-in")
        #expect(proxy.location.line == 25)
        #expect(proxy.binds.count == 1)
        #expect(proxy.binds[0].addresses == [Address(host: nil, family: .unspecified, ports: 80...80)])
        #expect(proxy.binds[0].location.line == 25)
        #expect(proxy.settings.defaultBackend == "servers")
        #expect(proxy.settings.isEnabled("httplog"))
        #expect(proxy.settings.isEnabled("http-server-close"))
        let forwardFor = try #require(proxy.settings.forwardFor)
        #expect(forwardFor.except == "127.0.0.0/8")
        #expect(forwardFor.header == "X-Forwarded-For")
        #expect(forwardFor.location.line == 14)
    }

    @Test func tlsFrontend() throws {
        let proxy = try Self.outcome().proxy("https-in")
        #expect(proxy.binds.first?.addresses == [Address(host: nil, family: .unspecified, ports: 443...443)])
        #expect(proxy.settings.isEnabled("tcplog"))
        #expect(proxy.settings.options["httplog"] == nil)
        #expect(proxy.settings.isEnabled("socket-stats"))
        #expect(proxy.settings.forwardFor == nil)
        #expect(proxy.settings.inspectDelay == .seconds(5))
        #expect(proxy.settings.defaultBackend == "servers-ssl")
        #expect(proxy.settings.defaultBackendLocation?.line == 36)

        #expect(proxy.tcpRequestRules.count == 1)
        let accept = proxy.tcpRequestRules[0]
        #expect(accept.phase == .content)
        #expect(accept.action == .accept)
        #expect(accept.location.line == 34)
        let helloACL = try #require(accept.condition?.anonymousACLs.first)
        #expect(accept.condition?.polarity == .if)
        #expect(helloACL.criterion.fetch.name == "req_ssl_hello_type")
        #expect(helloACL.values == ["1"])

        #expect(proxy.useBackendRules.count == 1)
        let use = proxy.useBackendRules[0]
        #expect(use.backend == "pumpio-ssl")
        #expect(use.location.line == 35)
        #expect(!use.isDynamic)
        let sniACL = try #require(use.condition?.anonymousACLs.first)
        #expect(sniACL.criterion.fetch.name == "req_ssl_sni")
        #expect(sniACL.ignoreCase)
        #expect(sniACL.values == ["pump2.thisshitistemp.com"])
    }

    @Test func httpBackend() throws {
        let proxy = try Self.outcome().proxy("servers")
        #expect(proxy.settings.isEnabled("httpclose"))
        #expect(proxy.settings.options["http-server-close"] == nil)
        #expect(proxy.settings.forwardFor?.location.line == 40)
        #expect(proxy.settings.forwardFor?.except == nil)
        let cookie = try #require(proxy.settings.cookie)
        #expect(cookie.name == "JSESSIONID")
        #expect(cookie.mode == .prefix)
        #expect(proxy.servers.count == 1)
        let server = proxy.servers[0]
        #expect(server.name == "server1")
        #expect(server.address == Address(host: "127.0.0.1", family: .ipv4, ports: 8000...8000))
        #expect(server.options.cookie == "A")
        #expect(server.isChecked)
        #expect(server.weight == 1)
    }

    @Test func tlsBackends() throws {
        let outcome = try Self.outcome()
        let ssl = try outcome.proxy("servers-ssl")
        #expect(ssl.settings.mode == nil)
        #expect(ssl.servers.map(\.name) == ["server-ssl1"])
        #expect(ssl.servers[0].address.ports == 8001...8001)
        #expect(ssl.servers[0].isChecked)
        #expect(ssl.settings.forwardFor == nil)

        let pump = try outcome.proxy("pumpio-ssl")
        #expect(pump.servers.map(\.name) == ["pump"])
        #expect(pump.servers[0].weight == 0)
        #expect(!pump.servers[0].isChecked)
        #expect(pump.servers[0].address.ports == 31337...31337)
        #expect(pump.useServerRules.count == 1)
        #expect(pump.useServerRules[0].server == "pump")
        #expect(pump.useServerRules[0].location.line == 46)
        #expect(pump.useServerRules[0].condition?.anonymousACLs.first?.values == ["pump2.thisshitistemp.com"])
        #expect(pump.retries == 3)
        #expect(pump.settings.isEnabled("redispatch"))
        #expect(pump.balance == .roundRobin)
    }
}
