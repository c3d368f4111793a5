import UsherProxy

/// The version `usher -v` prints: the one the stats page, `show info` and the exporter report.
enum UsherVersion {
    static let current = ProductInfo.version
}
