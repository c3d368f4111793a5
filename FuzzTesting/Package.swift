// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FuzzTesting",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "usher", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "FuzzClientHello",
            dependencies: [.product(name: "UsherRouting", package: "usher")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
