// swift-tools-version:6.0
import PackageDescription

// Release builds of usher's own modules skip Swift's run-time exclusivity checks: the compile-time
// checks stay, and debug builds (the test suite) keep the run-time ones. On the data path they cost
// a tenth of the instructions per request (bench/instructions). See docs/performance.md.
let releaseSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "usher",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "usher", targets: ["usher"]),
        .library(name: "UsherConfig", targets: ["UsherConfig"]),
        .library(name: "UsherRouting", targets: ["UsherRouting"]),
        .library(name: "UsherSession", targets: ["UsherSession"]),
        .library(name: "UsherProxy", targets: ["UsherProxy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    ],
    targets: [
        // The configuration language: text in, typed model and diagnostics out. Standard library only.
        .target(name: "UsherConfig", swiftSettings: releaseSettings),
        // What the configuration means: pure decisions, no I/O.
        .target(
            name: "UsherRouting",
            dependencies: [
                "UsherConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                // The lock of the process-wide (`proc`) variables.
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                // HMAC keys for the cache of checked `userlist` passwords.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: releaseSettings
        ),
        // Sans-I/O state machines of the sessions, one per protocol layer: events in, actions out.
        .target(
            name: "UsherSession",
            dependencies: ["UsherConfig", "UsherRouting", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: releaseSettings
        ),
        // Sockets, timers, threads: the data plane and the control plane.
        .target(
            name: "UsherProxy",
            dependencies: [
                "UsherConfig",
                "UsherRouting",
                "UsherSession",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
                // SHA-1 for the WebSocket handshake check.
                .product(name: "Crypto", package: "swift-crypto"),
                // TLS termination and TLS to servers: the contexts, and what the certificates say.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                // zlib streams for `compression algo gzip|deflate|raw-deflate`.
                .product(name: "CompressNIO", package: "compress-nio"),
                // HTTP/2 from clients (ALPN `h2`, `proto h2`): framing, HPACK, flow control, streams.
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: releaseSettings
        ),
        // `usher demo`: the seed's topology with stand-in services (an HTTP site, its TLS twin, and a
        // TLS WebSocket echo service in pump.io's place). Also the tests' in-process peers.
        .target(
            name: "UsherDemo",
            dependencies: [
                "UsherConfig",
                "UsherProxy",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "usher",
            dependencies: [
                "UsherConfig",
                "UsherProxy",
                "UsherDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Builders shared by the test targets (TLS ClientHellos made to order).
        .target(name: "UsherTestSupport", path: "Tests/UsherTestSupport"),
        .testTarget(name: "UsherConfigTests", dependencies: ["UsherConfig"]),
        .testTarget(
            name: "UsherRoutingTests",
            dependencies: ["UsherRouting", "UsherConfig", "UsherTestSupport", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "UsherSessionTests", dependencies: ["UsherSession", "UsherConfig", "UsherRouting", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "UsherProxyTests",
            dependencies: [
                "UsherProxy", "UsherRouting", "UsherConfig", "UsherDemo", "UsherTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
