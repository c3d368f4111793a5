// swift-tools-version:6.1
import PackageDescription

// Microbenchmarks of usher's hot paths, with allocation counts (stable on a noisy machine).
// A package of its own so that the main build does not carry the benchmark framework.
//     cd Benchmarks && swift package benchmark
let package = Package(
    name: "UsherBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "usher", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "UsherRouting", package: "usher"),
                .product(name: "UsherConfig", package: "usher"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
