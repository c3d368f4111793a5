#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import UsherConfig

/// What `usher -vv` prints: the version and what this build can do, laid out as `haproxy -vv` lays
/// it out, so scripts written for HAProxy's output find their lines. HAProxy's regression runner,
/// for one, greps the `HAProxy version` line (and takes its third word), the `TARGET =` line, the
/// `Feature list :` line and the `Available services :` line.
///
/// Every `+` feature is one usher really has, under HAProxy's name where HAProxy has one and under
/// usher's own otherwise; HAProxy's build features usher lacks are listed with `-`, so a script
/// looking for `+OPENSSL` or `+LUA` is told the truth.
struct BuildReport {
    /// The HAProxy release whose configuration language, logs and wire formats usher follows.
    static let compatibleHAProxyVersion = "2.6"

    var text: String {
        var lines: [String] = []
        lines.append("usher version \(UsherVersion.current) - a reverse proxy that runs HAProxy configurations")
        lines.append("HAProxy version \(Self.compatibleHAProxyVersion) compatible - the configuration language, logs and PROXY protocol usher follows")
        lines.append("Running on: \(Self.systemName)")
        lines.append("Build options :")
        lines.append("  TARGET  = \(Self.target)")
        lines.append("  CPU     = \(Self.cpu)")
        lines.append("  CC      = swiftc (Swift \(Self.swiftVersion))")
        lines.append("  OPTIONS = \(Self.buildConfiguration)")
        lines.append("")
        lines.append("Feature list : \(featureList)")
        lines.append("")
        lines.append("Default settings :")
        lines.append("  bufsize = 16384, maxrewrite = 1024, maxhdr = 101")
        lines.append("")
        lines.append("Built with multi-threading support (MAX_THREADS=4096, default=\(Self.onlineCores)).")
        lines.append("Built with SwiftNIO for all network I/O.")
        lines.append("Built with Swift compiler version \(Self.swiftVersion)")
        lines.append("")
        lines.append("Available polling systems :")
        lines.append("      \(Self.poller) : pref=300,  test result OK")
        lines.append("Total: 1 (1 usable), will use \(Self.poller).")
        lines.append("")
        lines.append("Available multiplexer protocols :")
        lines.append("(protocols marked as <default> cannot be specified using 'proto' keyword)")
        lines.append("  <default> : mode=HTTP  side=FE|BE  mux=H1")
        lines.append("  <default> : mode=TCP   side=FE|BE  mux=PASS")
        lines.append("")
        lines.append("Available services : \(services.isEmpty ? "none" : services.joined(separator: " "))")
        lines.append("Available filters : none")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `+NAME` for what this build has, `-NAME` for HAProxy build features it lacks, in
    /// alphabetical order as HAProxy prints them.
    var featureList: String {
        var features: [String: Bool] = [
            // SwiftNIO's event loop: epoll on Linux, kqueue elsewhere.
            "EPOLL": Self.poller == "epoll",
            "KQUEUE": Self.poller == "kqueue",
            // NIO accepts with accept4 on Linux (non-blocking and close-on-exec in one call).
            "ACCEPT4": Self.poller == "epoll",
            // Server names are resolved with getaddrinfo at start.
            "GETADDRINFO": true,
            // `nbthread`: one event loop per thread.
            "THREAD": true,
            // UNIX and abstract sockets in `bind` and `server` (usher's names: HAProxy has none).
            "UNIX_SOCKETS": true,
            "ABNS": Self.hasAbstractSockets,
            // usher's own: the event library under everything.
            "SWIFTNIO": true,
            // TLS termination and TLS to servers (the library is BoringSSL, through swift-nio-ssl:
            // scripts that look for +OPENSSL want to know whether `ssl` works).
            "OPENSSL": true,
            // HAProxy features usher does not have.
            "LUA": false, "PCRE": false, "PCRE2": false, "PCRE2_JIT": false, "ZLIB": false,
            "SLZ": false, "LINUX_SPLICE": false, "LINUX_TPROXY": false, "TPROXY": false, "NETFILTER": false,
            "QUIC": false, "SYSTEMD": false, "TFO": false, "NS": false, "CPU_AFFINITY": false, "OT": false,
            "LIBCRYPT": false, "CRYPT_H": false,
        ]
        features["PROMEX"] = services.contains("prometheus-exporter")
        return features.keys.sorted().map { (features[$0]! ? "+" : "-") + $0 }.joined(separator: " ")
    }

    /// The features `-vv` lists with a `+`: what `-cc 'feature(NAME)'` finds.
    var presentFeatures: Set<String> {
        Set(featureList.split(separator: " ").filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) })
    }

    /// What `-cc CONDITION` evaluates against: this build, and the HAProxy version usher follows.
    func conditionContext(environment: [String: String]) -> ConditionExpression.Context {
        // The TLS library is BoringSSL (through swift-nio-ssl): no OpenSSL version to compare.
        ConditionExpression.Context(
            version: Self.compatibleHAProxyVersion, features: presentFeatures, environment: environment,
            tlsLibraryName: "BoringSSL", tlsLibraryVersion: nil)
    }

    /// The services `http-request use-service` can name in this build: the configuration's own list.
    var services: [String] { HTTPService.allCases.map(\.rawValue) }

    /// The threads a configuration without `nbthread` gets: one per core.
    static var onlineCores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Linux's abstract namespace for UNIX sockets (`abns@`).
    static var hasAbstractSockets: Bool {
        #if os(Linux)
        return true
        #else
        return false
        #endif
    }

    static var poller: String {
        #if os(Linux)
        return "epoll"
        #else
        return "kqueue"
        #endif
    }

    static var target: String {
        #if os(Linux) && canImport(Glibc)
        return "linux-glibc"
        #elseif os(Linux)
        return "linux-musl"
        #elseif os(macOS)
        return "osx"
        #else
        return "generic"
        #endif
    }

    static var cpu: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "aarch64"
        #else
        return "generic"
        #endif
    }

    static var buildConfiguration: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    static var swiftVersion: String {
        #if swift(>=6.4)
        return "6.4 or later"
        #elseif swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    /// `uname`'s system, release, version and machine, as HAProxy's "Running on" line.
    static var systemName: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
        }
        return "\(field(names.sysname)) \(field(names.release)) \(field(names.version)) \(field(names.machine))"
    }
}
