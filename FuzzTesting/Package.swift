// swift-tools-version:6.0
import PackageDescription

/// One libFuzzer executable per parser of untrusted bytes (see README.md).
let routingTargets = ["FuzzClientHello", "FuzzHTTPBody", "FuzzProxyProtocol", "FuzzTLSAccept", "FuzzFormAndQuery", "FuzzDNS", "FuzzHealthCheck"]

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "usher", path: ".."),
        // The same requirement as usher's: FuzzHTTPHead writes heads into a ByteBuffer.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: routingTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "UsherRouting", package: "usher"), .product(name: "UsherConfig", package: "usher")]
        )
    } + [
        .executableTarget(
            name: "FuzzHTTPHead",
            dependencies: [.product(name: "UsherRouting", package: "usher"), .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(
            name: "FuzzConfiguration",
            dependencies: [.product(name: "UsherConfig", package: "usher"), .product(name: "UsherRouting", package: "usher")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
